package org.flowgate.shell.stats;

/**
 * One counter or gauge of a {@link StatGroup}: {@code rx_packets}, or {@code drops} with label
 * {@code reason=no-route}.
 *
 * @param label      the name of the one label distinguishing values of a family, or null
 * @param labelValue its value, or null
 */
public record Stat(String name, String label, String labelValue, long value, boolean gauge) {
    public static Stat counter(String name, long value) { return new Stat(name, null, null, value, false); }

    public static Stat gauge(String name, long value) { return new Stat(name, null, null, value, true); }

    public static Stat counter(String name, String label, String labelValue, long value) {
        return new Stat(name, label, labelValue, value, false);
    }

    /** A name unique within the group: {@code drops_no_route} (JMX attributes, text output). */
    public String key() {
        return labelValue == null ? name : name + "_" + Names.identifier(labelValue);
    }
}
