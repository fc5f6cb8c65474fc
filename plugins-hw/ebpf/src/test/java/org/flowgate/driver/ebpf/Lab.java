package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;

/** The driver tests' world: netns-support's h1 -- r -- h2 in the netlab layout, IPv6 included. */
final class Lab {
    private Lab() { }

    /** Skips the calling test, saying why, unless it runs as root with ip, tc, bpftool and the built BPF object. */
    static void assumeKernel() {
        assumeTrue(Shell.isRoot(), "skipped: needs root (network namespaces, BPF, tc)");
        assumeTrue(Shell.hasCommand("ip", "-V") && Shell.hasCommand("tc", "-V"), "skipped: iproute2 (ip, tc) is missing");
        assumeTrue(Shell.hasCommand("bpftool", "version"), "skipped: bpftool is missing (apt-get install bpftool)");
        assumeTrue(EbpfOffloadDriver.class.getResource(EbpfOffloadDriver.OBJECT_RESOURCE) != null,
                "skipped: the BPF object was not built (clang with the bpf target missing)");
    }

    /**
     * h1 (10.0.1.2, fd00:1::2) -- (10.0.1.1, fd00:1::1) r (10.0.2.1, fd00:2::1) -- h2 (10.0.2.2,
     * fd00:2::2): namespaces {@code <p>h1}, {@code <p>r}, {@code <p>h2}, links {@code <p>a},
     * {@code <p>ra}, {@code <p>rb}, {@code <p>b}, offloads as Linux sets them.
     */
    static Topology up(String p) {
        return Topology.builder(p).netlab().v6("fd00:1::/64", "fd00:2::/64").create();
    }
}
