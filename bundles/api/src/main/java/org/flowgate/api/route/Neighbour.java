package org.flowgate.api.route;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;

/** A neighbour table entry, as {@code ip neigh} shows it. {@code mac} is null while incomplete. */
public record Neighbour(IpAddress address, String device, MacAddress mac, State state, long ageMillis, int queued) {
    public enum State { INCOMPLETE, REACHABLE, STALE, FAILED, PERMANENT }

    @Override
    public String toString() {
        return address + " dev " + device + (mac != null ? " lladdr " + mac : "") + " " + state
                + (queued > 0 ? " queued " + queued : "");
    }
}
