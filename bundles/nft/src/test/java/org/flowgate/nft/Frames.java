package org.flowgate.nft;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** Real frames built byte by byte (RFC 791, 8200, 9293, 768, 792) and tiny fakes of the services around the ruleset. */
public final class Frames {
    private Frames() {}

    public static final long MAC_A = 0x02_00_00_00_00_01L, MAC_B = 0x02_00_00_00_00_02L;

    public static Packet tcp4(String src, String dst, int sport, int dport, int flags) {
        return ip4(6, src, dst, l4Tcp(sport, dport, flags, 0));
    }

    public static Packet udp4(String src, String dst, int sport, int dport) {
        return ip4(17, src, dst, l4Udp(sport, dport, 0));
    }

    public static Packet icmp4(String src, String dst, int type) {
        return ip4(1, src, dst, new byte[] {(byte) type, 0, 0, 0, 0, 1, 0, 1});
    }

    public static Packet tcp6(String src, String dst, int sport, int dport, int flags) {
        return ip6(6, src, dst, l4Tcp(sport, dport, flags, 0));
    }

    public static Packet udp6(String src, String dst, int sport, int dport) {
        return ip6(17, src, dst, l4Udp(sport, dport, 0));
    }

    public static Packet icmp6(String src, String dst, int type) {
        return ip6(58, src, dst, new byte[] {(byte) type, 0, 0, 0, 0, 1, 0, 1});
    }

    static byte[] l4Tcp(int sport, int dport, int flags, int payload) {
        byte[] b = new byte[20 + payload];
        put16(b, 0, sport);
        put16(b, 2, dport);
        put32(b, 4, 1000);
        put32(b, 8, (flags & 0x10) != 0 ? 5000 : 0);
        b[12] = 5 << 4;
        b[13] = (byte) flags;
        put16(b, 14, 65535);
        return b;
    }

    static byte[] l4Udp(int sport, int dport, int payload) {
        byte[] b = new byte[8 + payload];
        put16(b, 0, sport);
        put16(b, 2, dport);
        put16(b, 4, b.length);
        return b;
    }

    public static Packet ip4(int proto, String src, String dst, byte[] l4) {
        byte[] f = new byte[14 + 20 + l4.length];
        eth(f, 0x0800);
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, 20 + l4.length);
        put16(f, ip + 4, 0x1234);
        f[ip + 8] = 64;
        f[ip + 9] = (byte) proto;
        put32(f, ip + 12, IpAddress.parse(src).v4());
        put32(f, ip + 16, IpAddress.parse(dst).v4());
        put16(f, ip + 10, Checksums.checksum(f, ip, 20));
        System.arraycopy(l4, 0, f, 34, l4.length);
        return parsed(f);
    }

    public static Packet ip6(int next, String src, String dst, byte[] l4) {
        byte[] f = new byte[14 + 40 + l4.length];
        eth(f, 0x86DD);
        int ip = 14;
        put32(f, ip, 0x6000_0000);
        put16(f, ip + 4, l4.length);
        f[ip + 6] = (byte) next;
        f[ip + 7] = 64;
        System.arraycopy(IpAddress.parse(src).toBytes(), 0, f, ip + 8, 16);
        System.arraycopy(IpAddress.parse(dst).toBytes(), 0, f, ip + 24, 16);
        System.arraycopy(l4, 0, f, 54, l4.length);
        return parsed(f);
    }

    public static Packet arp() {
        byte[] f = new byte[14 + 28];
        eth(f, 0x0806);
        put16(f, 14, 1);       // Ethernet
        put16(f, 16, 0x0800);  // IPv4
        f[18] = 6;
        f[19] = 4;
        put16(f, 20, 1);       // request
        return parsed(f);
    }

    private static void eth(byte[] f, int type) {
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (MAC_B >>> (40 - 8 * i));
            f[6 + i] = (byte) (MAC_A >>> (40 - 8 * i));
        }
        put16(f, 12, type);
    }

    private static Packet parsed(byte[] f) {
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        DropReason r = p.parse();
        if (r != null) throw new AssertionError("test frame does not parse: " + r);
        return p;
    }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    static void put32(byte[] b, int i, int v) { put16(b, i, v >>> 16); put16(b, i + 2, v); }

    /**
     * Implements an API interface by a handler of the few methods a test needs; any other method
     * answers 0, false or null, so the fakes keep compiling while the API grows.
     */
    @SuppressWarnings("unchecked")
    static <T> T fake(Class<T> type, Object target) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(Frames.class.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            if (m.getName().equals("equals")) return proxy == args[0];
            if (m.getName().equals("hashCode")) return System.identityHashCode(proxy);
            if (m.getName().equals("toString")) return type.getSimpleName() + " fake";
            for (java.lang.reflect.Method own : target.getClass().getMethods()) {
                if (own.getName().equals(m.getName()) && own.getParameterCount() == m.getParameterCount()) {
                    try {
                        return own.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
            if (m.isDefault()) return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
            Class<?> r = m.getReturnType();
            if (r == boolean.class) return false;
            if (r == int.class) return 0;
            if (r == long.class) return 0L;
            if (r == String.class) return "";
            if (r == List.class) return List.of();
            return null;
        });
    }

    /** A device with a name and an index, the little the ruleset reads. */
    public static NetDevice dev(String name, int ifIndex) { return dev(name, ifIndex, List.of()); }

    public static NetDevice dev(String name, int ifIndex, List<IpPrefix> addresses) {
        return fake(NetDevice.class, new DevState(name, ifIndex, addresses));
    }

    public record DevState(String name, int ifIndex, List<IpPrefix> addresses) {
        public long macBits() { return MAC_B; }
        public int mtu() { return 1500; }
        public boolean isUp() { return true; }
    }

    /** Conntrack entry state with settable mark, zone, status and labels. */
    public static final class Conn {
        public int mark, zone, status;
        public long labelsHi, labelsLo;

        public int status() { return status; }
        public int mark() { return mark; }
        public int zone() { return zone; }
        public long labelsHi() { return labelsHi; }
        public long labelsLo() { return labelsLo; }
        public void setMark(int m) { mark = m; }
        public void setLabels(long hi, long lo) { labelsHi = hi; labelsLo = lo; }

        public ConnEntry entry() { return fake(ConnEntry.class, this); }
    }

    /** Records nat bindings. */
    public static final class Tracker {
        public final List<NatRange> bound = new ArrayList<>();
        public boolean answer = true;

        public synchronized boolean bindNat(Packet p, NatRange range) {
            bound.add(range);
            return answer;
        }

        public ConnTracker service() { return fake(ConnTracker.class, this); }
    }

    /** Records configure() and counts offers per table. */
    public static final class FlowTables {
        public List<FlowTableSpec> specs = List.of();
        public final java.util.Map<String, int[]> offers = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, FlowTable> tables = new java.util.LinkedHashMap<>();

        public final class Table {
            final String key;

            Table(String key) { this.key = key; }

            public String name() { return key; }

            public void offer(Packet p) { offers.get(key)[0]++; }
        }

        public void configure(List<FlowTableSpec> s) {
            specs = s;
            for (FlowTableSpec x : s) {
                String key = x.family() + " " + x.table() + " " + x.name();
                if (!tables.containsKey(key)) {
                    offers.put(key, new int[1]);
                    tables.put(key, fake(FlowTable.class, new Table(key)));
                }
            }
        }

        public FlowTable table(String family, String table, String name) {
            return tables.get(family + " " + table + " " + name);
        }

        public FlowTableService service() { return fake(FlowTableService.class, this); }
    }
}
