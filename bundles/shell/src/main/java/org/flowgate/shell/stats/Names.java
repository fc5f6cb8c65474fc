package org.flowgate.shell.stats;

/** Names shared by the text, JMX and metrics views. */
final class Names {
    private Names() {}

    /** {@code no-route} -> {@code no_route}: letters, digits and underscores only. */
    static String identifier(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 ? Character.toLowerCase(c) : '_');
        }
        return sb.toString();
    }
}
