/** The tc classifier: ingress filters with chains, flower matches and actions (act_ct model). */
@Export
@Version("1.0.0")
package org.flowgate.api.tc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
