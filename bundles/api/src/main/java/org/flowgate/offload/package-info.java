/**
 * The offload driver SPI that NIC vendors implement: an {@link org.flowgate.offload.OffloadDriver}
 * service binds to flow tables and returns a {@link org.flowgate.offload.FlowBlock} that receives
 * {@link org.flowgate.offload.FlowRule}s (add, del, stats); a driver that drops rules on its own
 * reports it through the {@link org.flowgate.offload.OffloadCallback} it was bound with (1.3).
 */
@Export
@Version("1.3.0")
package org.flowgate.offload;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
