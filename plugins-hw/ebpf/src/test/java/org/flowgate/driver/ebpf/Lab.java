package org.flowgate.driver.ebpf;

import org.flowgate.testsupport.netns.Topology;

/** The driver tests' world: netns-support's h1 -- r -- h2 in the netlab layout, IPv6 included. */
final class Lab {
    private Lab() { }

    /**
     * h1 (10.0.1.2, fd00:1::2) -- (10.0.1.1, fd00:1::1) r (10.0.2.1, fd00:2::1) -- h2 (10.0.2.2,
     * fd00:2::2): namespaces {@code <p>h1}, {@code <p>r}, {@code <p>h2}, links {@code <p>a},
     * {@code <p>ra}, {@code <p>rb}, {@code <p>b}, offloads as Linux sets them.
     */
    static Topology up(String p) {
        return Topology.builder(p).netlab().v6("fd00:1::/64", "fd00:2::/64").create();
    }
}
