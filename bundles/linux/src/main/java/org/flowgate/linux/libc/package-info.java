/**
 * libc through {@code java.lang.foreign} for the Linux bundles (AF_PACKET ports, the eBPF driver):
 * errno capture, symbol lookup and the calls they share. Each bundle keeps its own calls and builds
 * their handles with {@link org.flowgate.linux.libc.LibC#errnoCall}.
 */
@Export
@Version("1.0.0")
package org.flowgate.linux.libc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
