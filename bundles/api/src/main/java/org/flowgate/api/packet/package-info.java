/** Frames as reusable flyweight buffers, their parsed layout, checksums and drop reasons. */
@Export
@Version("1.2.0")
package org.flowgate.api.packet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
