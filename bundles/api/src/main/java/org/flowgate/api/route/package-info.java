/** The forwarding information base and the neighbour table. */
@Export
@Version("1.0.0")
package org.flowgate.api.route;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
