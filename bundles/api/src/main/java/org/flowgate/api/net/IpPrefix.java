package org.flowgate.api.net;

/** An address with a prefix length: {@code 10.0.1.1/24} (an interface address) or {@code 10.0.1.0/24} (a route). */
public record IpPrefix(IpAddress address, int length) {
    public IpPrefix {
        if (length < 0 || length > address.bitLength()) throw new IllegalArgumentException("prefix length " + length + " out of range for " + address);
    }

    /** Parses {@code addr/len}; a bare address is a host prefix. */
    public static IpPrefix parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) { IpAddress a = IpAddress.parse(s); return new IpPrefix(a, a.bitLength()); }
        IpAddress a = IpAddress.parse(s.substring(0, slash));
        int len;
        try { len = Integer.parseInt(s.substring(slash + 1).trim()); } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + s);
        }
        return new IpPrefix(a, len);
    }

    public int family() { return address.family(); }

    /** The network: the address with host bits cleared. */
    public IpPrefix network() {
        return new IpPrefix(new IpAddress(address.family(), address.hi() & maskHi(), address.lo() & maskLo()), length);
    }

    public boolean contains(IpAddress a) {
        return a.family() == address.family()
                && ((a.hi() ^ address.hi()) & maskHi()) == 0 && ((a.lo() ^ address.lo()) & maskLo()) == 0;
    }

    /** Mask over {@link IpAddress#hi()} (always 0 for IPv4). */
    public long maskHi() {
        if (address.isV4()) return 0;
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Mask over {@link IpAddress#lo()}. */
    public long maskLo() {
        if (address.isV4()) return length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    @Override
    public String toString() { return address + "/" + length; }
}
