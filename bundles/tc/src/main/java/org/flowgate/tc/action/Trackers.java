package org.flowgate.tc.action;

import org.flowgate.api.conntrack.ConnTracker;

/**
 * The instance's {@link ConnTracker} as the actions see it (for {@code ct commit force}, which
 * removes an entry); the component sets the service, as {@link Devices} for devices.
 */
public final class Trackers {
    private volatile ConnTracker tracker;

    public void set(ConnTracker t) { tracker = t; }

    public void unset(ConnTracker t) { if (tracker == t) tracker = null; }

    public ConnTracker get() { return tracker; }
}
