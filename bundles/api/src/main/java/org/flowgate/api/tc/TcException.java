package org.flowgate.api.tc;

/** A {@code tc} command that cannot be carried out; {@link #word()} is the offending word, or null. */
public class TcException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String word;
    private final int index;

    /**
     * @param message what is wrong
     * @param word    the offending word (null when the error is not about one word)
     * @param index   its position in the command's words, -1 when unknown
     */
    public TcException(String message, String word, int index) {
        super(word == null ? message : message + " (at word " + (index + 1) + ": \"" + word + "\")");
        this.word = word;
        this.index = index;
    }

    public String word() { return word; }

    public int index() { return index; }
}
