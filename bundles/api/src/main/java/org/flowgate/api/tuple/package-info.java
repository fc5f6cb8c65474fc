/** The connection 5-tuple as a reusable, allocation-free key. */
@Export
@Version("1.0.0")
package org.flowgate.api.tuple;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
