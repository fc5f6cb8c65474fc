package org.flowgate.testsupport.netns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespace tests' world: {@code h1 -- r -- h2}, two hosts in network namespaces
 * {@code <prefix>-h1} and {@code <prefix>-h2}, each with {@code eth0} on a veth whose other end,
 * {@code <prefix>1} / {@code <prefix>2}, is a port of the router under test. The router side is
 * either a namespace {@code <prefix>-r} of its own (a router opening its ports in there, as the
 * netlab) or the test JVM's namespace. Router links carry no address (the userspace router owns
 * them) and no IPv6; hosts get {@code .2} of their /24 (and {@code ::2} of their /64 with
 * {@link Builder#v6}), the router's {@code .1} as default route, complete checksums and no
 * segmentation offloads (an AF_PACKET router must see real frames).
 * <pre>
 * try (Topology t = Topology.builder("ftns").v4("10.72.1.0/24", "10.72.2.0/24").create()) {
 *     AfPacketPort.open("lan", t.routerLink(1), ...);
 *     Traffic.udpAsk(t.h1(), t.h2Address(), 7000, "ping");
 * }
 * </pre>
 * {@link Builder#create()} removes leftovers of a crashed run first and cleans up if it fails;
 * {@link #close()} removes everything and never throws.
 */
public final class Topology implements AutoCloseable {
    /** The host end of each veth, inside h1 and h2. */
    public static final String HOST_LINK = "eth0";

    private final String prefix;
    private final boolean routerNamespace;
    private final boolean netlab;
    private final String[] nets4, nets6;

    private Topology(Builder b) {
        this.prefix = b.prefix;
        this.routerNamespace = b.routerNamespace || b.netlab;
        this.netlab = b.netlab;
        this.nets4 = b.nets4;
        this.nets6 = b.nets6;
    }

    public static Builder builder(String prefix) { return new Builder(prefix); }

    /**
     * Why a topology cannot be made here (not root, or iproute2, ethtool, python3 or ping
     * missing), or null when it can: {@code assumeTrue(Topology.unavailable() == null, ...)}.
     */
    public static String unavailable() {
        if (!Shell.isRoot()) return "needs root (network namespaces, AF_PACKET)";
        for (String[] c : new String[][] {{"ip", "-V"}, {"ethtool", "--version"}, {"python3", "-V"}, {"ping", "-V"}}) {
            try {
                if (Shell.run(false, c) != 0) return c[0] + " missing";
            } catch (RuntimeException e) {
                return c[0] + " missing";
            }
        }
        return null;
    }

    public static final class Builder {
        private final String prefix;
        private boolean routerNamespace;
        private boolean netlab;
        private String[] nets4 = {"10.0.1.0/24", "10.0.2.0/24"};
        private String[] nets6;
        private boolean h2RoutesBack = true;

        private Builder(String prefix) {
            if (!prefix.matches("[a-z][a-z0-9]{0,12}")) throw new IllegalArgumentException("prefix: lower case letters and digits, at most 13 (link names are at most 15): " + prefix);
            this.prefix = prefix;
        }

        /** The router's side in a namespace {@code <prefix>-r} of its own; default: in the JVM's namespace. */
        public Builder routerNamespace() { routerNamespace = true; return this; }

        /**
         * The netlab layout ({@code netlab/topo.sh}, whose scripts and benches work on it):
         * namespaces {@code <prefix>h1}, {@code <prefix>r}, {@code <prefix>h2}, host links
         * {@code <prefix>a} / {@code <prefix>b}, router links {@code <prefix>ra} / {@code <prefix>rb}
         * in r, where r's kernel holds the router addresses ({@code .1}, and {@code ::1} with
         * {@link #v6}): a Linux router until a test turns its forwarding off or flushes them for a
         * userspace router. Links keep Linux's defaults (IPv6 on, checksum and segmentation
         * offloads on), as the kernel datapaths under test see them.
         */
        public Builder netlab() { netlab = true; return this; }

        /** h1's and h2's IPv4 networks (/24): host .2, router .1. Default 10.0.1.0/24 and 10.0.2.0/24. */
        public Builder v4(String h1Net, String h2Net) { nets4 = new String[] {h1Net, h2Net}; return this; }

        /** IPv6 too (/64 networks: host ::2, router ::1); without it IPv6 is off in the hosts. */
        public Builder v6(String h1Net, String h2Net) { nets6 = new String[] {h1Net, h2Net}; return this; }

        /** h2 gets no default route: it cannot answer h1 unless the router translates h1's address (masquerade tests). */
        public Builder noRouteBackFromH2() { h2RoutesBack = false; return this; }

        public Topology create() {
            Topology t = new Topology(this);
            t.close();
            try {
                t.up(h2RoutesBack);
                return t;
            } catch (RuntimeException | Error e) {
                t.close();
                throw e;
            }
        }
    }

    private void up(boolean h2RoutesBack) {
        if (netlab) {
            upNetlab(h2RoutesBack);
            return;
        }
        for (String ns : namespaces()) {
            Shell.run(true, "ip", "netns", "add", ns);
            Shell.run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        }
        for (int side = 1; side <= 2; side++) {
            String host = host(side), link = routerLink(side);
            Shell.run(true, "ip", "link", "add", link, "type", "veth", "peer", "name", HOST_LINK, "netns", host);
            if (routerNamespace) Shell.run(true, "ip", "link", "set", link, "netns", r());
            // the userspace router owns the port: its kernel side stays silent (no RS, no NDP, no DAD)
            routerSide("sysctl", "-qw", "net.ipv6.conf." + link + ".disable_ipv6=1");
            routerSide("ip", "link", "set", link, "up");
            routerSideUnchecked("ethtool", "-K", link, "tx", "off", "gro", "off");

            if (nets6 == null) {
                for (String k : new String[] {"all", "default"}) Shell.run(false, "ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv6.conf." + k + ".disable_ipv6=1");
            } else {
                Shell.run(false, "ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv6.conf." + HOST_LINK + ".accept_dad=0");
            }
            Shell.run(true, "ip", "-n", host, "addr", "add", hostPrefix(side), "dev", HOST_LINK);
            if (nets6 != null) Shell.run(true, "ip", "-n", host, "addr", "add", hostPrefix6(side), "dev", HOST_LINK, "nodad");
            Shell.run(true, "ip", "-n", host, "link", "set", HOST_LINK, "up");
            // veth leaves TCP/UDP checksums partial for the receiver to complete, and would hand
            // over 64 KiB segments: a router reading AF_PACKET must get what a real NIC delivers
            Shell.run(true, "ip", "netns", "exec", host, "ethtool", "-K", HOST_LINK, "tx", "off", "tso", "off", "gso", "off");
            Shell.run(false, "ip", "netns", "exec", host, "ethtool", "-K", HOST_LINK, "gro", "off");
            if (side == 1 || h2RoutesBack) {
                Shell.run(true, "ip", "-n", host, "route", "add", "default", "via", routerAddress(side));
                if (nets6 != null) Shell.run(true, "ip", "-n", host, "-6", "route", "add", "default", "via", routerAddress6(side));
            }
        }
    }

    private void upNetlab(boolean h2RoutesBack) {
        for (String ns : namespaces()) {
            Shell.run(true, "ip", "netns", "add", ns);
            Shell.run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        }
        for (int side = 1; side <= 2; side++) {
            String host = host(side), link = routerLink(side), hostLink = hostLink(side);
            Shell.run(true, "ip", "link", "add", hostLink, "type", "veth", "peer", "name", link);
            Shell.run(true, "ip", "link", "set", hostLink, "netns", host);
            Shell.run(true, "ip", "link", "set", link, "netns", r());
            Shell.run(true, "ip", "-n", host, "addr", "add", hostPrefix(side), "dev", hostLink);
            if (nets6 != null) Shell.run(true, "ip", "-n", host, "addr", "add", hostPrefix6(side), "dev", hostLink, "nodad");
            Shell.run(true, "ip", "-n", host, "link", "set", hostLink, "up");
            if (side == 1 || h2RoutesBack) {
                Shell.run(true, "ip", "-n", host, "route", "add", "default", "via", routerAddress(side));
                if (nets6 != null) Shell.run(true, "ip", "-n", host, "-6", "route", "add", "default", "via", routerAddress6(side));
            }
            Shell.run(true, "ip", "-n", r(), "addr", "add", routerPrefix(side), "dev", link);
            if (nets6 != null) Shell.run(true, "ip", "-n", r(), "addr", "add", routerPrefix6(side), "dev", link, "nodad");
            Shell.run(true, "ip", "-n", r(), "link", "set", link, "up");
        }
    }

    private void routerSide(String... cmd) { Shell.run(true, inRouter(cmd)); }

    private void routerSideUnchecked(String... cmd) { Shell.run(false, inRouter(cmd)); }

    private String[] inRouter(String... cmd) {
        if (!routerNamespace) return cmd;
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", r()));
        c.addAll(List.of(cmd));
        return c.toArray(String[]::new);
    }

    private List<String> namespaces() {
        List<String> l = new ArrayList<>(List.of(h1(), h2()));
        if (routerNamespace) l.add(r());
        return l;
    }

    /** Removes the namespaces and the router-side links (deleting a veth end deletes its peer). */
    @Override
    public void close() {
        for (String ns : List.of(h1(), h2(), netlab ? r() : prefix + "-r")) Shell.run(false, "ip", "netns", "del", ns);
        // a veth end still in the JVM's namespace (a failed create): deleting it deletes its peer
        for (int side = 1; side <= 2; side++) Shell.run(false, "ip", "link", "del", netlab ? hostLink(side) : routerLink(side));
    }

    public String prefix() { return prefix; }

    public String h1() { return prefix + (netlab ? "h1" : "-h1"); }

    public String h2() { return prefix + (netlab ? "h2" : "-h2"); }

    /** The router's namespace, or null when the router side is the JVM's own namespace. */
    public String r() { return routerNamespace ? prefix + (netlab ? "r" : "-r") : null; }

    /** The namespace of host 1 or 2. */
    public String host(int side) { return side == 1 ? h1() : h2(); }

    /** The router's end of the veth to host {@code side} (1 or 2): the interface its port opens. */
    public String routerLink(int side) { return netlab ? prefix + (check(side) == 1 ? "ra" : "rb") : prefix + check(side); }

    /** Host {@code side}'s end of its veth, in its namespace: {@link #HOST_LINK}, or {@code <prefix>a} / {@code <prefix>b} in the {@link Builder#netlab() netlab} layout. */
    public String hostLink(int side) { return netlab ? prefix + (check(side) == 1 ? "a" : "b") : HOST_LINK; }

    public String h1Address() { return hostAddress(1); }

    public String h2Address() { return hostAddress(2); }

    public String hostAddress(int side) { return address(nets4[check(side) - 1], 2); }

    /** e.g. {@code 10.0.1.2/24}. */
    public String hostPrefix(int side) { return hostAddress(side) + "/" + length(nets4[side - 1]); }

    /** The router's address towards host {@code side}: {@code .1}. */
    public String routerAddress(int side) { return address(nets4[check(side) - 1], 1); }

    /** e.g. {@code 10.0.1.1/24}, for the router's interface configuration. */
    public String routerPrefix(int side) { return routerAddress(side) + "/" + length(nets4[side - 1]); }

    public String hostAddress6(int side) { return address(v6(side), 2); }

    public String hostPrefix6(int side) { return hostAddress6(side) + "/" + length(v6(side)); }

    public String routerAddress6(int side) { return address(v6(side), 1); }

    public String routerPrefix6(int side) { return routerAddress6(side) + "/" + length(v6(side)); }

    /** Sets the MAC address of host {@code side}'s {@code eth0} (e.g. one a tc {@code src_mac} filter matches). */
    public void setHostMac(int side, String mac) {
        Shell.run(true, "ip", "-n", host(check(side)), "link", "set", hostLink(side), "address", mac);
    }

    /**
     * Makes host {@code side} a Linux VXLAN tunnel endpoint: {@code ip link add <name> type vxlan id
     * <vni> local <host address> remote <remote> dstport 4789 dev eth0} (IPv4 or IPv6 underlay, as
     * {@code remote} is), {@code overlayPrefix} on it, up, with complete checksums (tx off). The
     * host's underlay address is its {@link #hostAddress} (or {@link #hostAddress6} for an IPv6
     * {@code remote}).
     */
    public void vxlanPeer(int side, String name, int vni, String remote, String overlayPrefix) {
        String ns = host(check(side));
        String local = remote.contains(":") ? hostAddress6(side) : hostAddress(side);
        Shell.run(true, "ip", "-n", ns, "link", "add", name, "type", "vxlan", "id", Integer.toString(vni), "local", local,
                "remote", remote, "dstport", "4789", "dev", hostLink(side));
        Shell.run(true, "ip", "-n", ns, "addr", "add", overlayPrefix, "dev", name);
        Shell.run(true, "ip", "-n", ns, "link", "set", name, "up");
        Shell.run(true, "ip", "netns", "exec", ns, "ethtool", "-K", name, "tx", "off");
    }

    /** The MAC address of link {@code dev} in namespace {@code ns}, as 48 bits. */
    public static long mac(String ns, String dev) {
        String[] f = Shell.read("ip", "-n", ns, "-br", "link", "show", "dev", dev).trim().split("\\s+");
        return Long.parseLong(f[2].replace(":", ""), 16);
    }

    /** {@code ip netns exec <ns> ping -c <count> -i 0.3 -W 2 <dst>}: its exit code (0 = every reply came). */
    public static int ping(String ns, String dst, int count) {
        return Shell.run(false, "ip", "netns", "exec", ns, "ping", "-c", Integer.toString(count), "-i", "0.3", "-W", "2", dst);
    }

    private String v6(int side) {
        if (nets6 == null) throw new IllegalStateException("topology " + prefix + " has no IPv6 (Builder.v6)");
        return nets6[check(side) - 1];
    }

    private static int check(int side) {
        if (side != 1 && side != 2) throw new IllegalArgumentException("side is 1 (h1) or 2 (h2), not " + side);
        return side;
    }

    private static int length(String net) { return Integer.parseInt(net.substring(net.indexOf('/') + 1)); }

    /** RFC 5952 text: the longest run of two or more zero groups becomes {@code ::}. */
    static String compress(String full) {
        String[] g = full.split(":");
        int best = -1, bestLen = 1;
        for (int i = 0; i < g.length; ) {
            int j = i;
            while (j < g.length && g[j].equals("0")) j++;
            if (j - i > bestLen) { best = i; bestLen = j - i; }
            i = j == i ? i + 1 : j;
        }
        if (best < 0) return full;
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, best));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, best + bestLen, g.length));
        return head + "::" + tail;
    }

    /** The {@code n}-th address of network {@code net} (n < 256). */
    private static String address(String net, int n) {
        try {
            byte[] a = InetAddress.getByName(net.substring(0, net.indexOf('/'))).getAddress();
            a[a.length - 1] = (byte) ((a[a.length - 1] & 0xff) + n);
            String s = InetAddress.getByAddress(a).getHostAddress();
            return a.length == 16 ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a network: " + net, e);
        }
    }
}
