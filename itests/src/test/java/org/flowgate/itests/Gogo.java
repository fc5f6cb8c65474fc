package org.flowgate.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** Gogo commands as an operator types them, each in a session of its own with no console. */
public final class Gogo {
    private Gogo() {}

    /** The command's result; a command that fails throws what it threw. */
    public static Object run(CommandProcessor gogo, String command) throws Exception {
        PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (CommandSession s = gogo.createSession(new ByteArrayInputStream(new byte[0]), console, console)) {
            return s.execute(command);
        }
    }

    /** The command's result, or what it threw as text: for polling and failure messages. */
    public static Object call(CommandProcessor gogo, String command) {
        try {
            return run(gogo, command);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
