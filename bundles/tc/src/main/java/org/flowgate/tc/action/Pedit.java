package org.flowgate.tc.action;

import org.flowgate.api.packet.Packet;

/**
 * {@code pedit ex munge <field> set|add <value> [munge ...]}: header rewrites at fixed places.
 * As in Linux, pedit leaves checksums alone: follow it with {@code action csum ...}. A field whose
 * header the packet lacks is left alone.
 */
public final class Pedit extends Action {
    /** Field kinds. */
    public static final int ETH_DST = 0, ETH_SRC = 1, IP_SRC = 2, IP_DST = 3, IP_TTL = 4, IP_TOS = 5,
            TCP_SPORT = 6, TCP_DPORT = 7, UDP_SPORT = 8, UDP_DPORT = 9;

    private final int[] fields;
    private final long[] values;
    private final boolean[] add;
    private final String text;

    public Pedit(int control, int[] fields, long[] values, boolean[] add, String text) {
        super(control);
        this.fields = fields.clone();
        this.values = values.clone();
        this.add = add.clone();
        this.text = text;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        for (int i = 0; i < fields.length; i++) munge(p, fields[i], values[i], add[i]);
        return control;
    }

    private static void munge(Packet p, int field, long v, boolean add) {
        int l3 = p.l3(), l4 = p.l4();
        switch (field) {
            case ETH_DST -> p.setEthDst(v);
            case ETH_SRC -> p.setEthSrc(v);
            case IP_SRC -> { if (p.isIpv4()) p.setU32(l3 + 12, (int) v); }
            case IP_DST -> { if (p.isIpv4()) p.setU32(l3 + 16, (int) v); }
            case IP_TTL -> {
                int at = p.isIpv4() ? l3 + 8 : p.isIpv6() ? l3 + 7 : -1;
                if (at >= 0) p.setU8(at, (int) (add ? p.u8(at) + v : v));
            }
            case IP_TOS -> { if (p.isIpv4()) p.setU8(l3 + 1, (int) v); }
            case TCP_SPORT, TCP_DPORT -> {
                if (l4 >= 0 && p.l4Proto() == Packet.PROTO_TCP) p.setU16(field == TCP_SPORT ? l4 : l4 + 2, (int) v);
            }
            case UDP_SPORT, UDP_DPORT -> {
                if (l4 >= 0 && p.l4Proto() == Packet.PROTO_UDP) p.setU16(field == UDP_SPORT ? l4 : l4 + 2, (int) v);
            }
            default -> { }
        }
    }

    @Override
    public String describe() { return text; }
}
