package org.flowgate.itests;

import java.nio.ByteBuffer;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Checksums;

/** Frames built byte by byte from RFC 894 (Ethernet), RFC 791 (IPv4) and RFC 768 (UDP). */
public final class Frames {
    private Frames() {}

    public static byte[] udp4(MacAddress dst, MacAddress src, IpAddress from, IpAddress to, int ttl, int sport, int dport, byte[] payload) {
        int udpLen = 8 + payload.length;
        int ipLen = 20 + udpLen;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        byte[] m = new byte[6];
        dst.write(m, 0); b.put(m);
        src.write(m, 0); b.put(m);
        b.putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen)
                .putShort((short) 0x1234).putShort((short) 0x4000) // id, DF
                .put((byte) ttl).put((byte) 17).putShort((short) 0)
                .putInt(from.v4()).putInt(to.v4());
        int udp = b.position();
        b.putShort((short) sport).putShort((short) dport).putShort((short) udpLen).putShort((short) 0).put(payload);
        byte[] f = b.array();
        int ipSum = Checksums.checksum(f, ip, 20);
        f[ip + 10] = (byte) (ipSum >>> 8);
        f[ip + 11] = (byte) ipSum;
        int udpSum = Checksums.finish(Checksums.sum(f, udp, udpLen, Checksums.pseudoV4(from.v4(), to.v4(), 17, udpLen)));
        if (udpSum == 0) udpSum = 0xFFFF;
        f[udp + 6] = (byte) (udpSum >>> 8);
        f[udp + 7] = (byte) udpSum;
        return f;
    }

    public static int u8(byte[] f, int i) { return f[i] & 0xFF; }

    public static int u16(byte[] f, int i) { return (u8(f, i) << 8) | u8(f, i + 1); }

    public static int u32(byte[] f, int i) { return (u16(f, i) << 16) | u16(f, i + 2); }

    public static MacAddress dstMac(byte[] f) { return MacAddress.of(f, 0); }

    public static MacAddress srcMac(byte[] f) { return MacAddress.of(f, 6); }

    public static boolean isIpv4(byte[] f) { return f.length >= 34 && u16(f, 12) == 0x0800; }

    public static boolean isUdp4To(byte[] f, IpAddress dst, int dport) {
        return isIpv4(f) && u8(f, 23) == 17 && u32(f, 30) == dst.v4() && f.length >= 42 && u16(f, 36) == dport;
    }

    public static boolean isIcmp4To(byte[] f, IpAddress dst, int type) {
        return isIpv4(f) && u8(f, 23) == 1 && u32(f, 30) == dst.v4() && f.length >= 35 + 1 && u8(f, 34) == type;
    }

    /** UDP checksum over the pseudo header and datagram: 0 when valid. */
    public static int udp4ChecksumResidue(byte[] f) {
        int ihl = (u8(f, 14) & 0x0F) * 4;
        int udp = 14 + ihl;
        int len = u16(f, udp + 4);
        return Checksums.finish(Checksums.sum(f, udp, len, Checksums.pseudoV4(u32(f, 26), u32(f, 30), 17, len)));
    }
}
