package org.flowgate.conntrack.command;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.instance.RoutingInstance;

/**
 * {@code -i <name>} / {@code --instance <name>} / {@code --instance=<name>} anywhere among a
 * command's words: the routing instance it acts on ({@code default} without it), and the other
 * words in their order.
 */
record InstanceOption(String instance, String[] rest) {
    static final String DEFAULT = RoutingInstance.DEFAULT;

    static InstanceOption of(String command, String... words) {
        String instance = null;
        List<String> rest = new ArrayList<>();
        String[] w = words == null ? new String[0] : words;
        for (int i = 0; i < w.length; i++) {
            String value;
            if (w[i].equals("-i") || w[i].equals("--instance")) {
                if (i + 1 >= w.length) throw new IllegalArgumentException(command + ": " + w[i] + " needs an instance name");
                value = w[++i];
            } else if (w[i].startsWith("--instance=")) {
                value = w[i].substring("--instance=".length());
            } else {
                rest.add(w[i]);
                continue;
            }
            if (instance != null && !instance.equals(value)) throw new IllegalArgumentException(command + ": two instances given (" + instance + ", " + value + ")");
            instance = value;
        }
        return new InstanceOption(instance == null || instance.isBlank() ? DEFAULT : instance, rest.toArray(new String[0]));
    }
}
