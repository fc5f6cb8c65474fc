package org.flowgate.shell.commands;

import java.util.Locale;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;

/**
 * Argument parsing shared by the commands. Every failure is an {@link IllegalArgumentException}
 * whose message is the one line the user sees; nothing is changed before all arguments parsed.
 */
final class Args {
    private final String command;
    private final String[] args;
    private int next;

    Args(String command, String[] args) {
        this.command = command;
        this.args = args == null ? new String[0] : args;
    }

    boolean hasNext() { return next < args.length; }

    /** The next word, or an error naming what was expected. */
    String word(String what) {
        if (!hasNext()) throw usage("missing " + what);
        return args[next++];
    }

    /** The next word if it equals {@code keyword} (case-insensitive), consuming it. */
    boolean accept(String keyword) {
        if (hasNext() && args[next].equalsIgnoreCase(keyword)) { next++; return true; }
        return false;
    }

    /** The next word, which must be one of {@code choices}; returned in lower case. */
    String choice(String what, String... choices) {
        String w = word(what).toLowerCase(Locale.ROOT);
        for (String c : choices) if (c.equals(w)) return w;
        throw usage(what + " must be one of " + String.join("|", choices) + ", not '" + w + "'");
    }

    /** Fails when words are left over. */
    void end() {
        if (hasNext()) throw usage("unexpected '" + args[next] + "'");
    }

    IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(command + ": " + problem);
    }

    IpPrefix prefix(String what) {
        String w = word(what);
        try {
            return IpPrefix.parse(w);
        } catch (IllegalArgumentException e) {
            throw usage("'" + w + "' is not an address/prefix-length");
        }
    }

    /** A route destination: a network prefix (host bits clear, as Linux insists) or {@code default}. */
    IpPrefix destination(int familyHint) {
        String w = word("destination prefix");
        if (w.equalsIgnoreCase("default")) return familyHint == IpAddress.IPV6 ? IpPrefix.parse("::/0") : IpPrefix.parse("0.0.0.0/0");
        IpPrefix p;
        try {
            p = IpPrefix.parse(w);
        } catch (IllegalArgumentException e) {
            throw usage("'" + w + "' is not a prefix (e.g. 10.0.3.0/24 or default)");
        }
        if (!p.network().equals(p)) throw usage("invalid prefix for given prefix length: " + w + " (did you mean " + p.network() + "?)");
        return p;
    }

    IpAddress address(String what) {
        String w = word(what);
        try {
            return IpAddress.parse(w);
        } catch (IllegalArgumentException e) {
            throw usage("'" + w + "' is not an IP address");
        }
    }

    MacAddress mac(String what) {
        String w = word(what);
        try {
            return MacAddress.parse(w);
        } catch (IllegalArgumentException e) {
            throw usage("'" + w + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
    }

    int integer(String what, int min, int max) {
        String w = word(what);
        try {
            int v = Integer.parseInt(w);
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage(what + " must be an integer from " + min + " to " + max + ", not '" + w + "'");
    }

    /** The next word naming an existing device. */
    NetDevice device(NetDevices devices) {
        String name = word("device name");
        return devices.byName(name).orElseThrow(() -> usage("cannot find device \"" + name + "\""));
    }
}
