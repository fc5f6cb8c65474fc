/** Flow tables: the fast path that forwards established connections. */
@Export
@Version("1.3.0")
package org.flowgate.api.flowtable;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
