package org.flowgate.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.shell.stats.StatsCollector;
import org.junit.jupiter.api.Test;

/**
 * {@code -i/--instance <name>} as Gogo itself parses it (the real command processor, not direct
 * calls): the commands act on the named instance, on {@code default} without it, and fail with
 * one clear line for an instance that does not exist.
 */
class InstanceOptionTest {
    /** Gogo's stream redirection is process-wide: one for the whole class. */
    private static final ThreadIOImpl threadIo = new ThreadIOImpl();
    static { threadIo.start(); }

    private final CommandProcessorImpl gogo;
    private final Fakes.Devices defaults = new Fakes.Devices(), blue = new Fakes.Devices();
    private final StatsCollector collector = new StatsCollector();

    InstanceOptionTest() {
        gogo = new CommandProcessorImpl(threadIo);
        defaults.add("eth0", 0x020000000001L);
        blue.add("eth0", 0x020000000002L);
        blue.add("eth1", 0x020000000003L);
        Instances instances = new Instances().add(defaults, "default").add(blue, "blue").add(new Fakes.Routes(), "blue");
        RouterCommands router = new RouterCommands(instances);
        for (String f : List.of("interfaces", "addr", "link", "routes", "route", "neigh")) gogo.addCommand("router", router, f);
        collector.addForTest(defaults, "default");
        collector.addForTest(blue, "blue");
        collector.addForTest(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConnTracker.class},
                (p, m, a) -> switch (m.getName()) {
                    case "stats" -> Map.of("entries", 4L);
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    default -> null;
                }), "blue");
        gogo.addCommand("router", new StatsCommand(collector), "stats");
    }

    private Object run(String line) throws Exception {
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        try (CommandSession s = gogo.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            return s.execute(line);
        }
    }

    @Test
    void theOptionSelectsTheInstanceAnywhereOnTheLine() throws Exception {
        assertNull(run("router:addr -i blue add eth1 10.0.2.1/24"));
        assertEquals(List.of("addAddress eth1 10.0.2.1/24"), blue.calls);
        assertNull(run("router:addr add eth0 10.0.1.1/24 --instance blue"));
        assertNull(run("router:addr add eth0 10.0.9.1/24"));
        assertEquals(List.of("addAddress eth0 10.0.9.1/24"), defaults.calls, "without -i: the default instance");
        String shown = String.valueOf(run("router:interfaces -i blue"));
        assertTrue(shown.contains("eth1") && shown.contains("10.0.2.1/24"), shown);
        assertTrue(!String.valueOf(run("router:interfaces")).contains("eth1"));
        assertTrue(String.valueOf(run("router:interfaces --instance blue eth0")).contains("inet 10.0.1.1/24"));
    }

    @Test
    void anUnknownInstanceOrAMissingServiceIsOneClearLine() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> run("router:interfaces -i green"));
        assertEquals("interfaces: no routing instance green (instances: blue, default)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run("router:routes"));
        assertEquals("routes: routing instance default has no routing table (not started, or its configuration is missing)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run("router:stats -i green"));
        assertEquals("stats: no routing instance green (instances: blue, default)", e.getMessage());
    }

    @Test
    void statsShowsOneInstanceOrAll() throws Exception {
        String def = String.valueOf(run("router:stats"));
        assertTrue(def.contains("interface eth0:") && !def.contains("instance blue"), def);
        String b = String.valueOf(run("router:stats -i blue"));
        assertTrue(b.contains("interface eth1 (instance blue)") && b.contains("conntrack conntrack (instance blue)") && !b.contains("interface eth0:\n"), b);
        assertTrue(String.valueOf(run("router:stats -i blue conntrack")).contains("entries 4"));
        String all = String.valueOf(run("router:stats --all"));
        assertTrue(all.contains("interface eth0:") && all.contains("interface eth1 (instance blue)"), all);
    }
}
