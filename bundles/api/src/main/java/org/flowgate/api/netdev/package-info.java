/** Network devices of the router and the port SPI that I/O bundles implement. */
@Export
@Version("1.5.0")
package org.flowgate.api.netdev;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
