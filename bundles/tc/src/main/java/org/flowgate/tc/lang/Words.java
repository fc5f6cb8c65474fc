package org.flowgate.tc.lang;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.tc.TcException;

/**
 * The words of a tc command and a cursor over them. Line continuations ({@code \} at a line end,
 * or a lone {@code \} word as a shell paste leaves it) are dropped. Errors name the word.
 */
public final class Words {
    private final List<String> words;
    private int pos;

    public Words(String text) {
        List<String> l = new ArrayList<>();
        for (String w : text.replace("\\\r\n", " ").replace("\\\n", " ").trim().split("\\s+")) {
            if (!w.isEmpty() && !w.equals("\\")) l.add(w);
        }
        this.words = l;
    }

    public boolean more() { return pos < words.size(); }

    public String peek() { return pos < words.size() ? words.get(pos) : null; }

    public int pos() { return pos; }

    /** Steps back one word. */
    public void back() { if (pos > 0) pos--; }

    /** The word at an index, or null. */
    public String word(int i) { return i >= 0 && i < words.size() ? words.get(i) : null; }

    /** Words {@code [from, to)} joined by spaces. */
    public String join(int from, int to) { return String.join(" ", words.subList(from, Math.min(to, words.size()))); }

    public String next(String what) throws TcException {
        if (pos >= words.size()) throw new TcException("missing " + what + " at the end of the command", null, pos);
        return words.get(pos++);
    }

    /** Consumes the next word if it equals one of {@code options}; returns it or null. */
    public String accept(String... options) {
        String w = peek();
        if (w == null) return null;
        for (String o : options) if (o.equals(w)) { pos++; return w; }
        return null;
    }

    /** An error about the word just consumed. */
    public TcException errorLast(String message) {
        int i = Math.max(0, pos - 1);
        return new TcException(message, i < words.size() ? words.get(i) : null, i);
    }

    /** An error about the next word (or the end). */
    public TcException errorNext(String message) {
        return pos < words.size() ? new TcException(message, words.get(pos), pos) : new TcException(message + " at the end of the command", null, pos);
    }

    public long number(String what, long min, long max) throws TcException {
        String w = next(what);
        long v;
        try {
            v = parseNumber(w);
        } catch (NumberFormatException e) {
            throw errorLast("\"" + w + "\" is not a valid " + what);
        }
        if (v < min || v > max) throw errorLast(what + " " + w + " out of range " + min + ".." + max);
        return v;
    }

    /** Decimal, or hex with 0x. */
    public static long parseNumber(String w) {
        if (w.startsWith("0x") || w.startsWith("0X")) return Long.parseUnsignedLong(w.substring(2), 16);
        return Long.parseLong(w);
    }
}
