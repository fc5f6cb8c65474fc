/** The offload driver SPI that NIC vendors implement. */
@Export
@Version("1.0.0")
package org.flowgate.offload;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
