package org.flowgate.api.net;

import java.util.HexFormat;

/** A 48-bit Ethernet address held in the low bits of a long. */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) throw new IllegalArgumentException("MAC address wider than 48 bits");
    }

    public static MacAddress of(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | (b[off + i] & 0xFF);
        return new MacAddress(v);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with {@code -}). */
    public static MacAddress parse(String s) {
        String[] parts = s.trim().split("[:-]");
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address: " + s);
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) throw new IllegalArgumentException("not a MAC address: " + s);
            v = (v << 8) | HexFormat.fromHexDigits(p);
        }
        return new MacAddress(v);
    }

    public void write(byte[] b, int off) {
        for (int i = 5; i >= 0; i--) b[off + 5 - i] = (byte) (bits >>> (8 * i));
    }

    public boolean isMulticast() { return (bits & 0x0100_0000_0000L) != 0; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            sb.append(HexFormat.of().toHexDigits((byte) (bits >>> (8 * i))));
            if (i > 0) sb.append(':');
        }
        return sb.toString();
    }
}
