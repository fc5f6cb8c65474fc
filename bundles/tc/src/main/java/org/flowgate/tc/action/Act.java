package org.flowgate.tc.action;

/**
 * Action results and controls, with Linux's {@code TC_ACT_*} values: what an action returns tells
 * the classifier to run the next action ({@link #PIPE}), try the next filter ({@link #UNSPEC}),
 * stop ({@link #OK}, {@link #SHOT}, {@link #STOLEN}) or jump ({@link #gotoChain}).
 */
public final class Act {
    private Act() {}

    public static final int UNSPEC = -1, OK = 0, RECLASSIFY = 1, SHOT = 2, PIPE = 3, STOLEN = 4;
    public static final int GOTO_CHAIN = 0x2000_0000;
    public static final int CHAIN_MASK = 0x0FFF_FFFF;
    public static final int MAX_CHAIN = CHAIN_MASK;

    public static int gotoChain(int chain) { return GOTO_CHAIN | chain; }

    public static boolean isGoto(int r) { return r >= 0 && (r & ~CHAIN_MASK) == GOTO_CHAIN; }

    public static int chainOf(int r) { return r & CHAIN_MASK; }

    /** The control word as {@code tc} prints it. */
    public static String name(int control) {
        if (isGoto(control)) return "goto chain " + chainOf(control);
        return switch (control) {
            case UNSPEC -> "continue";
            case OK -> "pass";
            case RECLASSIFY -> "reclassify";
            case SHOT -> "drop";
            case PIPE -> "pipe";
            case STOLEN -> "stolen";
            default -> "unknown(" + control + ")";
        };
    }
}
