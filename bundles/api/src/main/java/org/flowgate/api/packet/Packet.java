package org.flowgate.api.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.flowgate.api.netdev.NetDevice;

/**
 * A frame in a reusable buffer, with its parsed layout and per-packet metadata.
 *
 * <p>A port owns a few of these and refills them; nothing is allocated per packet. Offsets
 * ({@link #l3()}, {@link #l4()}, ...) are absolute indices into {@link #array()}, so accessors take
 * them directly. {@link #HEADROOM} bytes before the frame let a tag or tunnel header be pushed
 * without copying the payload. A packet handed to a hook or a port is only valid during that call:
 * whoever needs it later copies it ({@link #copyFrom}).
 */
public final class Packet {
    public static final int HEADROOM = 128;
    /** Room for a 9000-byte jumbo frame plus tags. */
    public static final int DEFAULT_CAPACITY = HEADROOM + 9216;

    public static final int ETH_HLEN = 14;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int ETHERTYPE_IPV6 = 0x86DD;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    /** Layout flags. */
    public static final int F_VLAN = 1, F_IPV4_OPTIONS = 2, F_FRAGMENT = 4, F_LATER_FRAGMENT = 8,
            F_IPV6_EXT = 16, F_L4 = 32, F_QINQ = 64;

    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int MAX_IPV6_EXT = 8;

    private final byte[] buf;
    private int start;
    private int length;

    // metadata
    private NetDevice inDevice;
    private NetDevice outDevice;
    private int mark;
    private long timestampNanos;
    private Object conn;
    private int ctState;
    private int ctDirection;
    private int ctZone;
    private int missChain = -1;
    private int pktType = -1;
    private long nextHopHi, nextHopLo;

    // layout, valid after parse()
    private int etherType;
    private int vlanTci = -1;
    private int l3;
    private int l4 = -1;
    private int l3End;
    private int l4Proto = -1;
    private int ipVersion;
    private int flags;

    public Packet() { this(DEFAULT_CAPACITY); }

    public Packet(int capacity) {
        if (capacity <= HEADROOM + ETH_HLEN) throw new IllegalArgumentException("capacity too small");
        this.buf = new byte[capacity];
        this.start = HEADROOM;
    }

    // ---- buffer ----

    public byte[] array() { return buf; }

    /** Index of the first frame byte (the destination MAC). */
    public int start() { return start; }

    public int length() { return length; }

    public int end() { return start + length; }

    /** Largest frame this buffer holds when it starts at {@link #HEADROOM}. */
    public int maxFrame() { return buf.length - HEADROOM; }

    /** Clears metadata and layout; the frame goes at {@link #HEADROOM} with the given length. */
    public void reset(int frameLength) {
        if (frameLength < 0 || HEADROOM + frameLength > buf.length) throw new IllegalArgumentException("frame length " + frameLength);
        start = HEADROOM;
        length = frameLength;
        inDevice = null;
        outDevice = null;
        mark = 0;
        timestampNanos = 0;
        conn = null;
        ctState = 0;
        ctDirection = 0;
        ctZone = 0;
        missChain = -1;
        pktType = -1;
        nextHopHi = nextHopLo = 0;
        clearLayout();
    }

    /** Copies a frame in and resets metadata. */
    public void setFrame(byte[] src, int off, int len) {
        if (len < 0 || HEADROOM + len > buf.length) throw new IllegalArgumentException("frame length " + len);
        System.arraycopy(src, off, buf, HEADROOM, len);
        reset(len); // after the copy: with parse() next, HotSpot drops the layout stores parse() repeats
    }

    /** Copies frame, layout and metadata of another packet. */
    public void copyFrom(Packet o) {
        if (o.length > buf.length - HEADROOM) throw new IllegalArgumentException("frame does not fit");
        start = HEADROOM;
        length = o.length;
        System.arraycopy(o.buf, o.start, buf, start, o.length);
        int shift = start - o.start;
        inDevice = o.inDevice; outDevice = o.outDevice; mark = o.mark; timestampNanos = o.timestampNanos;
        conn = o.conn; ctState = o.ctState; ctDirection = o.ctDirection; ctZone = o.ctZone; missChain = o.missChain; pktType = o.pktType; nextHopHi = o.nextHopHi; nextHopLo = o.nextHopLo;
        etherType = o.etherType; vlanTci = o.vlanTci; ipVersion = o.ipVersion; flags = o.flags; l4Proto = o.l4Proto;
        l3 = o.l3 + shift; l4 = o.l4 < 0 ? -1 : o.l4 + shift; l3End = o.l3End + shift;
    }

    public byte[] toByteArray() { return java.util.Arrays.copyOfRange(buf, start, start + length); }

    /** Shortens the frame (drops Ethernet padding or a trailer). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("truncate to " + newLength);
        length = newLength;
    }

    /** Sets the frame length within the buffer, e.g. after building a reply in place. */
    public void setLength(int newLength) {
        if (newLength < 0 || start + newLength > buf.length) throw new IllegalArgumentException("length " + newLength);
        length = newLength;
    }

    /** Moves the frame start by {@code delta} bytes into headroom (negative) or forward (positive). */
    public void adjustStart(int delta) {
        int ns = start + delta;
        if (ns < 0 || delta > length) throw new IllegalArgumentException("adjust start by " + delta);
        start = ns;
        length -= delta;
    }

    // ---- raw accessors (absolute index) ----

    public int u8(int i) { return buf[i] & 0xFF; }

    public int u16(int i) { return (short) U16.get(buf, i) & 0xFFFF; }

    public int u32(int i) { return (int) U32.get(buf, i); }

    public long u64(int i) { return (long) U64.get(buf, i); }

    public void setU8(int i, int v) { buf[i] = (byte) v; }

    public void setU16(int i, int v) { U16.set(buf, i, (short) v); }

    public void setU32(int i, int v) { U32.set(buf, i, v); }

    public void setU64(int i, long v) { U64.set(buf, i, v); }

    public long mac(int i) { return ((long) u16(i) << 32) | (u32(i + 2) & 0xFFFF_FFFFL); }

    public void setMac(int i, long mac) { setU16(i, (int) (mac >>> 32)); setU32(i + 2, (int) mac); }

    // ---- Ethernet ----

    public long ethDst() { return start + 8 <= buf.length ? u64(start) >>> 16 : mac(start); } // one load where it can

    public long ethSrc() { return mac(start + 6); }

    public void setEthDst(long m) { setMac(start, m); }

    public void setEthSrc(long m) { setMac(start + 6, m); }

    /** The EtherType after any VLAN tags. */
    public int etherType() { return etherType; }

    /** The outer VLAN TCI, or -1 when untagged. */
    public int vlanTci() { return vlanTci; }

    public int vlanId() { return vlanTci < 0 ? -1 : vlanTci & 0xFFF; }

    /** Inserts an 802.1Q tag after the MAC addresses using headroom; layout offsets stay valid. */
    public void pushVlan(int tci) {
        if (start < 4) throw new IllegalStateException("no headroom for a VLAN tag");
        System.arraycopy(buf, start, buf, start - 4, 12);
        start -= 4;
        length += 4;
        setU16(start + 12, ETHERTYPE_VLAN);
        setU16(start + 14, tci);
        if (vlanTci >= 0) flags |= F_QINQ;
        vlanTci = tci;
        flags |= F_VLAN;
    }

    /** Removes the outer 802.1Q tag, if any. */
    public void popVlan() {
        if (vlanTci < 0) return;
        System.arraycopy(buf, start, buf, start + 4, 12);
        start += 4;
        length -= 4;
        if ((flags & F_QINQ) != 0) {
            vlanTci = u16(start + 14); // the inner tag is the outer one now
            flags &= ~F_QINQ;
        } else {
            vlanTci = -1;
            flags &= ~F_VLAN;
        }
    }

    // ---- layout ----

    public int l3() { return l3; }

    /** Start of the transport header, or -1 when there is none (non-first fragment, unknown layout). */
    public int l4() { return l4; }

    /** End of the IP packet (excludes Ethernet padding). */
    public int l3End() { return l3End; }

    /** TCP/UDP/ICMP/... protocol number, -1 when not IP. */
    public int l4Proto() { return l4Proto; }

    /** 4, 6 or 0 when the frame is not IP. */
    public int ipVersion() { return ipVersion; }

    public int flags() { return flags; }

    public boolean hasFlag(int f) { return (flags & f) != 0; }

    public boolean isIpv4() { return ipVersion == 4; }

    public boolean isIpv6() { return ipVersion == 6; }

    // ---- IPv4 / IPv6 fields ----

    public int ipv4Src() { return u32(l3 + 12); }

    public int ipv4Dst() { return u32(l3 + 16); }

    public int ttl() { return ipVersion == 4 ? u8(l3 + 8) : u8(l3 + 7); }

    public int ipv4HeaderLength() { return (u8(l3) & 0x0F) * 4; }

    /** Bytes of the IP packet: header and payload. */
    public int ipLength() { return l3End - l3; }

    /** IPv6 source, high half. Addresses are read as two big-endian longs. */
    public long ipv6SrcHi() { return u64(l3 + 8); }

    public long ipv6SrcLo() { return u64(l3 + 16); }

    public long ipv6DstHi() { return u64(l3 + 24); }

    public long ipv6DstLo() { return u64(l3 + 32); }

    /** Source address as (hi, lo) in the {@link org.flowgate.api.net.IpAddress} layout: IPv4 in lo. */
    public long srcHi() { return ipVersion == 6 ? ipv6SrcHi() : 0; }

    public long srcLo() { return ipVersion == 6 ? ipv6SrcLo() : ipv4Src() & 0xFFFF_FFFFL; }

    public long dstHi() { return ipVersion == 6 ? ipv6DstHi() : 0; }

    public long dstLo() { return ipVersion == 6 ? ipv6DstLo() : ipv4Dst() & 0xFFFF_FFFFL; }

    // ---- transport ----

    public boolean hasPorts() { return l4 >= 0 && (l4Proto == PROTO_TCP || l4Proto == PROTO_UDP); }

    public int srcPort() { return u16(l4); }

    public int dstPort() { return u16(l4 + 2); }

    public int tcpFlags() { return u8(l4 + 13); }

    /** ICMP / ICMPv6 type and code. */
    public int icmpType() { return u8(l4); }

    public int icmpCode() { return u8(l4 + 1); }

    /** Offset of the L4 checksum field for TCP/UDP/ICMP/ICMPv6, -1 otherwise. */
    public int l4ChecksumOffset() {
        if (l4 < 0) return -1;
        return switch (l4Proto) {
            case PROTO_TCP -> l4 + 16;
            case PROTO_UDP -> l4 + 6;
            case PROTO_ICMP, PROTO_ICMPV6 -> l4 + 2;
            default -> -1;
        };
    }

    /**
     * Computes the TCP/UDP checksum from scratch and stores it. Ports use it for frames a local
     * sender handed over with the checksum left to the NIC (Linux CHECKSUM_PARTIAL, as on veth):
     * forwarded as they are, the far host would drop them. Needs a parsed, unfragmented packet.
     *
     * @return false when the packet has no TCP/UDP header to checksum
     */
    public boolean computeL4Checksum() {
        if (l4 < 0 || hasFlag(F_FRAGMENT) || (l4Proto != PROTO_TCP && l4Proto != PROTO_UDP)) return false;
        int at = l4ChecksumOffset();
        int len = l3End - l4;
        setU16(at, 0);
        long pseudo = ipVersion == 4
                ? Checksums.pseudoV4(ipv4Src(), ipv4Dst(), l4Proto, len)
                : Checksums.pseudoV6(buf, l3 + 8, l3 + 24, l4Proto, len);
        int c = Checksums.finish(Checksums.sum(buf, l4, len, pseudo));
        if (c == 0 && l4Proto == PROTO_UDP) c = 0xFFFF; // RFC 768: 0 means "no checksum"
        setU16(at, c);
        return true;
    }

    // ---- metadata ----

    public NetDevice inDevice() { return inDevice; }

    public void setInDevice(NetDevice d) { inDevice = d; }

    public NetDevice outDevice() { return outDevice; }

    public void setOutDevice(NetDevice d) { outDevice = d; }

    public int mark() { return mark; }

    public void setMark(int m) { mark = m; }

    public long timestampNanos() { return timestampNanos; }

    public void setTimestampNanos(long t) { timestampNanos = t; }

    /** The conntrack entry this packet belongs to, set by conntrack; opaque to others. */
    public Object conn() { return conn; }

    public void setConn(Object c) { conn = c; }

    /** nftables ct state bits ({@code org.flowgate.api.conntrack.CtState}). */
    public int ctState() { return ctState; }

    public void setCtState(int s) { ctState = s; }

    /** 0 original, 1 reply. */
    public int ctDirection() { return ctDirection; }

    public void setCtDirection(int d) { ctDirection = d; }

    /** The conntrack zone the packet is tracked in (set by {@code ct zone set} before conntrack). */
    public int ctZone() { return ctZone; }

    public void setCtZone(int z) { ctZone = z & 0xFFFF; }

    /**
     * The tc chain an offload driver reached before it missed and handed the packet to software
     * (the second seed's "HW misses continue in SW from the last chain"), or -1 when the packet did
     * not come back from a driver's miss. tc classification of such a packet resumes at this chain,
     * with the ct zone in {@link #ctZone()}, never from chain 0.
     *
     * @since 1.1
     */
    public int missChain() { return missChain; }

    /** @since 1.1 */
    public void setMissChain(int chain) { missChain = chain; }

    /** {@link #pktType()} values, Linux's {@code PACKET_*} of {@code skb->pkt_type}. @since 1.2 */
    public static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3;

    /**
     * How the frame was addressed at layer 2 on the device that received it from its wire
     * ({@code skb->pkt_type}, decided once by {@code eth_type_trans}): {@link #PACKET_HOST},
     * {@link #PACKET_BROADCAST}, {@link #PACKET_MULTICAST} or {@link #PACKET_OTHERHOST}; -1 while
     * not decided. It stays with the packet when tc's {@code mirred ingress} hands it to another
     * device ({@code NetDevice.receive}), which does not decide it again, as in Linux.
     *
     * @since 1.2
     */
    public int pktType() { return pktType; }

    /** @since 1.2 */
    public void setPktType(int type) { pktType = type; }

    /** Next hop chosen by routing (gateway or destination), in the IpAddress layout. */
    public long nextHopHi() { return nextHopHi; }

    public long nextHopLo() { return nextHopLo; }

    public void setNextHop(long hi, long lo) { nextHopHi = hi; nextHopLo = lo; }

    // ---- parsing ----

    private void clearLayout() {
        etherType = 0;
        vlanTci = -1;
        l3 = start + ETH_HLEN;
        l4 = -1;
        l3End = start + length;
        l4Proto = -1;
        ipVersion = 0;
        flags = 0;
    }

    /**
     * Parses Ethernet, up to two VLAN tags, ARP, IPv4 (options detected, header checksum verified),
     * IPv6 (extension headers walked) and the TCP/UDP/ICMP header. Never reads outside the frame.
     *
     * @return null when the frame is well formed, otherwise why it must be dropped
     */
    public DropReason parse() {
        clearLayout();
        int end = start + length;
        if (length < ETH_HLEN) return DropReason.MALFORMED_ETHERNET;
        int p = start + 12;
        int type = u16(p);
        for (int tags = 0; type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ; tags++) {
            if (tags == 2 || p + 6 > end) return DropReason.MALFORMED_ETHERNET;
            if (tags == 0) { vlanTci = u16(p + 2); flags |= F_VLAN; } else flags |= F_QINQ;
            p += 4;
            type = u16(p);
        }
        etherType = type;
        l3 = p + 2;
        return switch (type) {
            case ETHERTYPE_IPV4 -> parseIpv4(end);
            case ETHERTYPE_IPV6 -> parseIpv6(end);
            case ETHERTYPE_ARP -> parseArp(end);
            default -> null;
        };
    }

    /** Only Ethernet/IPv4 ARP (RFC 826 with hlen 6, plen 4) is valid here. */
    private DropReason parseArp(int end) {
        if (end - l3 < 28) return DropReason.MALFORMED_ARP;
        if (u16(l3) != 1 || u16(l3 + 2) != ETHERTYPE_IPV4 || u8(l3 + 4) != 6 || u8(l3 + 5) != 4) return DropReason.MALFORMED_ARP;
        int op = u16(l3 + 6);
        if (op != 1 && op != 2) return DropReason.MALFORMED_ARP;
        l3End = l3 + 28;
        return null;
    }

    private DropReason parseIpv4(int end) {
        if (end - l3 < 20) return DropReason.MALFORMED_IPV4;
        int vihl = u8(l3);
        int ihl = (vihl & 0x0F) * 4;
        int total = u16(l3 + 2);
        if ((vihl >>> 4) != 4 || ihl < 20 || total < ihl || l3 + total > end) return DropReason.MALFORMED_IPV4;
        if (headerSum(l3, ihl) != 0xFFFF) return DropReason.BAD_IPV4_CHECKSUM;
        ipVersion = 4;
        l3End = l3 + total;
        l4Proto = u8(l3 + 9);
        if (ihl > 20) flags |= F_IPV4_OPTIONS;
        int frag = u16(l3 + 6);
        if ((frag & 0x3FFF) != 0) {
            flags |= F_FRAGMENT;
            if ((frag & 0x1FFF) != 0) { flags |= F_LATER_FRAGMENT; return null; }
        }
        return parseL4(l3 + ihl);
    }

    /**
     * The one's complement sum, folded to 16 bits, of an IPv4 header (length a multiple of 4, within
     * the frame): 32 bits at a time, which gives the same sum as 16 at a time (RFC 1071). A valid
     * header sums to 0xFFFF, as {@code Checksums.checksum(...) == 0}.
     */
    private int headerSum(int off, int len) {
        long s;
        if (len == 20) { // the common header: three loads
            long a = u64(off), b = u64(off + 8);
            s = (a >>> 32) + (a & 0xFFFF_FFFFL) + (b >>> 32) + (b & 0xFFFF_FFFFL) + (u32(off + 16) & 0xFFFF_FFFFL);
        } else {
            s = 0;
            for (int i = off, end = off + len; i < end; i += 4) s += u32(i) & 0xFFFF_FFFFL;
        }
        s = (s & 0xFFFF_FFFFL) + (s >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) ((s & 0xFFFF) + (s >>> 16));
    }

    private DropReason parseIpv6(int end) {
        if (end - l3 < 40 || (u8(l3) >>> 4) != 6) return DropReason.MALFORMED_IPV6;
        int payload = u16(l3 + 4);
        if (l3 + 40 + payload > end) return DropReason.MALFORMED_IPV6;
        ipVersion = 6;
        l3End = l3 + 40 + payload;
        int next = u8(l3 + 6);
        int p = l3 + 40;
        for (int n = 0; ; n++) {
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop (first only, RFC 8200 4.1), routing, destination options
                    if (n == MAX_IPV6_EXT || p + 8 > l3End || (next == 0 && n > 0)) return DropReason.MALFORMED_IPV6;
                    flags |= F_IPV6_EXT;
                    int len = (u8(p + 1) + 1) * 8;
                    next = u8(p);
                    p += len;
                    if (p > l3End) return DropReason.MALFORMED_IPV6;
                }
                case 44 -> { // fragment
                    if (n == MAX_IPV6_EXT || p + 8 > l3End) return DropReason.MALFORMED_IPV6;
                    flags |= F_IPV6_EXT | F_FRAGMENT;
                    next = u8(p);
                    int off = u16(p + 2) >>> 3;
                    p += 8;
                    if (off != 0) { flags |= F_LATER_FRAGMENT; l4Proto = next; return null; }
                }
                case 51 -> { // authentication header
                    if (n == MAX_IPV6_EXT || p + 8 > l3End) return DropReason.MALFORMED_IPV6;
                    flags |= F_IPV6_EXT;
                    int len = (u8(p + 1) + 2) * 4;
                    next = u8(p);
                    p += len;
                    if (p > l3End) return DropReason.MALFORMED_IPV6;
                }
                default -> {
                    l4Proto = next;
                    return parseL4(p);
                }
            }
        }
    }

    private DropReason parseL4(int p) {
        int avail = l3End - p;
        switch (l4Proto) {
            case PROTO_TCP -> {
                if (avail < 20) return DropReason.MALFORMED_L4;
                int doff = (u8(p + 12) >>> 4) * 4;
                if (doff < 20 || doff > avail) return DropReason.MALFORMED_L4;
            }
            case PROTO_UDP -> {
                if (avail < 8) return DropReason.MALFORMED_L4;
                int ulen = u16(p + 4);
                // a first fragment carries only part of the datagram the length covers
                if (ulen < 8 || (ulen > avail && (flags & F_FRAGMENT) == 0)) return DropReason.MALFORMED_L4;
            }
            case PROTO_ICMP, PROTO_ICMPV6 -> {
                if (avail < 8) return DropReason.MALFORMED_L4;
            }
            default -> { }
        }
        l4 = p;
        flags |= F_L4;
        return null;
    }

    @Override
    public String toString() {
        return "Packet[len=" + length + " type=0x" + Integer.toHexString(etherType) + " ip=" + ipVersion + " proto=" + l4Proto + "]";
    }
}
