/** Connection tracking: entries, states, status bits and events. */
@Export
@Version("1.2.0")
package org.flowgate.api.conntrack;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
