/** Routing instances: the service property that says which instance a service belongs to. */
@Export
@Version("1.0.0")
package org.flowgate.api.instance;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
