/** Netfilter-style hook points where bundles see packets, in the Linux order. */
@Export
@Version("1.2.0")
package org.flowgate.api.hook;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
