/** Addresses and prefixes as immutable values for configuration and administration. */
@Export
@Version("1.0.0")
package org.flowgate.api.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
