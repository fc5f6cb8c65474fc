package org.flowgate.nft.eval;

import org.flowgate.api.packet.Packet;

/**
 * One compiled step of a rule. Built at load time; {@link #eval} runs on packet threads and must
 * not allocate. The result is {@link #CONT} (next step), {@link #BREAK} (the rule does not match)
 * or a verdict code: the low 3 bits a kind, the rest the target chain index of a jump or goto.
 */
public abstract class Op {
    public static final int CONT = 0, BREAK = 1, ACCEPT = 2, DROP = 3, STOLEN = 4, RETURN = 5, JUMP = 6, GOTO = 7;

    public static int jump(int chainIndex) { return (chainIndex << 3) | JUMP; }

    public static int gotoChain(int chainIndex) { return (chainIndex << 3) | GOTO; }

    public static int kind(int code) { return code & 7; }

    public static int target(int code) { return code >>> 3; }

    public abstract int eval(Packet p);
}
