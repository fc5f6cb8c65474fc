/** The nftables-style ruleset service: atomic load and listing. */
@Export
@Version("1.1.0")
package org.flowgate.api.ruleset;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
