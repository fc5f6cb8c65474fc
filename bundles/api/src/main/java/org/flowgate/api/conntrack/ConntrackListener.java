package org.flowgate.api.conntrack;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives conntrack events; register as an OSGi service. Must not block the caller. */
@ConsumerType
public interface ConntrackListener {
    enum Event { NEW, UPDATE, DESTROY }

    void onEvent(Event event, ConnEntry entry);
}
