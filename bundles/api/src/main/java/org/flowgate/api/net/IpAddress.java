package org.flowgate.api.net;

import java.net.InetAddress;
import java.net.Inet6Address;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as two longs. IPv4 lives in the low 32 bits of {@code lo} with
 * {@code hi == 0}; the hot path works on those primitives, this value is for configuration,
 * tables and display.
 */
public record IpAddress(int family, long hi, long lo) implements Comparable<IpAddress> {
    public static final int IPV4 = 4;
    public static final int IPV6 = 6;

    public IpAddress {
        if (family != IPV4 && family != IPV6) throw new IllegalArgumentException("family must be 4 or 6");
        if (family == IPV4 && (hi != 0 || (lo >>> 32) != 0)) throw new IllegalArgumentException("IPv4 wider than 32 bits");
    }

    public static IpAddress v4(int addr) { return new IpAddress(IPV4, 0, addr & 0xFFFF_FFFFL); }

    public static IpAddress v6(long hi, long lo) { return new IpAddress(IPV6, hi, lo); }

    /** Parses a literal (never a host name: no DNS lookup ever happens here). */
    public static IpAddress parse(String s) {
        String t = s.trim();
        try {
            if (t.indexOf(':') < 0 && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) throw new IllegalArgumentException("not an IP address: " + s);
            return of(InetAddress.ofLiteral(t).getAddress());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
    }

    public static IpAddress of(byte[] b) {
        if (b.length == 4) return v4(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        if (b.length == 16) {
            long h = 0, l = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (b[i] & 0xFF);
            for (int i = 8; i < 16; i++) l = (l << 8) | (b[i] & 0xFF);
            return v6(h, l);
        }
        throw new IllegalArgumentException("address must be 4 or 16 bytes");
    }

    public boolean isV4() { return family == IPV4; }

    public int v4() { return (int) lo; }

    public int bitLength() { return family == IPV4 ? 32 : 128; }

    public byte[] toBytes() {
        if (isV4()) { int a = v4(); return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}; }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) { b[i] = (byte) (hi >>> (56 - 8 * i)); b[8 + i] = (byte) (lo >>> (56 - 8 * i)); }
        return b;
    }

    /** IPv6 link-local fe80::/10. */
    public boolean isLinkLocal() { return !isV4() && (hi >>> 54) == 0x3FA; }

    public boolean isMulticast() { return isV4() ? (v4() >>> 28) == 0xE : (hi >>> 56) == 0xFF; }

    @Override
    public int compareTo(IpAddress o) {
        if (family != o.family) return Integer.compare(family, o.family);
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        if (isV4()) { int a = v4(); return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF); }
        try {
            String s = Inet6Address.getByAddress(null, toBytes(), -1).getHostAddress();
            return compress(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** RFC 5952 form: the longest run of zero groups becomes {@code ::}. */
    private static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1, bestLen = 1, start = -1;
        for (int i = 0; i <= g.length; i++) {
            boolean zero = i < g.length && g[i].equals("0");
            if (zero && start < 0) start = i;
            if (!zero && start >= 0) {
                if (i - start > bestLen) { bestStart = start; bestLen = i - start; }
                start = -1;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < g.length; i++) {
            if (i == bestStart) { sb.append("::"); i += bestLen - 1; continue; }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(g[i]);
        }
        return sb.length() == 0 ? "::" : sb.toString();
    }
}
