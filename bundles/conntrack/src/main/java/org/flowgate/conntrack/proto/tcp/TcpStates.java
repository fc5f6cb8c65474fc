package org.flowgate.conntrack.proto.tcp;

/** TCP conntrack states and the transition table of Linux's {@code nf_conntrack_proto_tcp.c}. */
public final class TcpStates {
    private TcpStates() {}

    public static final int NONE = 0, SYN_SENT = 1, SYN_RECV = 2, ESTABLISHED = 3, FIN_WAIT = 4, CLOSE_WAIT = 5,
            LAST_ACK = 6, TIME_WAIT = 7, CLOSE = 8, SYN_SENT2 = 9, COUNT = 10;
    /** Pseudo states of the table. */
    static final int INVALID = 10, IGNORE = 11;

    static final String[] NAMES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
            "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

    public static String name(int state) { return NAMES[state]; }

    /** Segment kinds, the table's row index. */
    static final int SYN = 0, SYNACK = 1, FIN = 2, ACK = 3, RST = 4, NOFLAG = 5;

    private static final int sNO = NONE, sSS = SYN_SENT, sSR = SYN_RECV, sES = ESTABLISHED, sFW = FIN_WAIT,
            sCW = CLOSE_WAIT, sLA = LAST_ACK, sTW = TIME_WAIT, sCL = CLOSE, sS2 = SYN_SENT2, sIV = INVALID, sIG = IGNORE;

    /** [direction][segment kind][old state] -> new state. */
    static final int[][][] NEXT = {
        { // original
            /*           sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
            /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
            /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
        { // reply
            /*           sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
            /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
            /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
    };

    static final int F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10, F_URG = 0x20, F_ECE = 0x40, F_CWR = 0x80;

    /** Linux's {@code tcp_valid_flags}: combinations a sane stack sends (PSH, ECE, CWR ignored). */
    static boolean validFlags(int flags) {
        int f = flags & (F_FIN | F_SYN | F_RST | F_ACK | F_URG);
        return switch (f) {
            case F_SYN, F_SYN | F_URG, F_SYN | F_ACK, F_RST, F_RST | F_ACK, F_FIN | F_ACK, F_FIN | F_ACK | F_URG,
                 F_ACK, F_ACK | F_URG -> true;
            default -> false;
        };
    }

    static int kind(int flags) {
        if ((flags & F_RST) != 0) return RST;
        if ((flags & F_SYN) != 0) return (flags & F_ACK) != 0 ? SYNACK : SYN;
        if ((flags & F_FIN) != 0) return FIN;
        if ((flags & F_ACK) != 0) return ACK;
        return NOFLAG;
    }
}
