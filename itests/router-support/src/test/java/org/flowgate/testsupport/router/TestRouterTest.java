package org.flowgate.testsupport.router;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.offload.manager.core.Settings;
import org.junit.jupiter.api.Test;

/** The assembly on ports the test holds: what is wired, and that closing undoes it dependents first. */
class TestRouterTest {
    static final String FORWARD_DROP = """
            table inet filter {
            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		ip daddr 10.9.9.9 drop
            	}
            }
            """;

    /** Every start, stop and close in the order they happened. */
    final List<String> events = new ArrayList<>();

    final class FakePort implements Port {
        final String name;
        PortReceiver receiver;

        FakePort(String name) { this.name = name; }

        @Override public String name() { return name; }
        @Override public MacAddress mac() { return MacAddress.parse("02:00:00:00:00:0" + name.charAt(1)); }
        @Override public int mtu() { return 1500; }
        @Override public boolean isLinkUp() { return true; }
        @Override public void start(PortReceiver r) { receiver = r; events.add("start " + name); }
        @Override public void stop() { receiver = null; events.add("stop " + name); }
        @Override public boolean send(Packet p) { return true; }
        @Override public void flush() {}
    }

    final class FakeFlowTables implements FlowTableService {
        TestRouter madeFor;
        final List<Object> listeners = new ArrayList<>();
        List<FlowTableSpec> specs = List.of();

        @Override public void configure(List<FlowTableSpec> specs) { this.specs = specs; }
        @Override public FlowTable table(String family, String table, String name) { return null; }
        @Override public List<FlowTable> tables() { return List.of(); }
    }

    TestRouter.FlowTables<FakeFlowTables> flowTables() {
        return new TestRouter.FlowTables<>(r -> {
            FakeFlowTables f = new FakeFlowTables();
            f.madeFor = r;
            return f;
        }, f -> events.add("start flow tables"), f -> events.add("stop flow tables"), (f, l) -> f.listeners.add(l));
    }

    @Test
    void wiresThePartsAndClosesDependentsFirst() throws Exception {
        FakePort p0 = new FakePort("p0"), p1 = new FakePort("p1");
        TestRouter r = TestRouter.builder()
                .port(p0, p1)
                .address("p0", "10.0.0.1/24")
                .flowTables(flowTables())
                .offload(new Settings(64, 1, 16, 1000, 0, 10_000))
                .ruleset(FORWARD_DROP, "test.nft")
                .build();
        assertEquals(List.of("start p0", "start p1"), events, "ports started; no threads unless asked");
        assertNotNull(p0.receiver);
        assertTrue(r.router().devices().byName("p0").orElseThrow().addresses().contains(IpPrefix.parse("10.0.0.1/24")));
        assertFalse(r.router().hooks().isEmpty(Hook.PREROUTING), "conntrack's hooks");
        assertEquals(1, r.router().hooks().list(Hook.FORWARD).size(), "the ruleset's forward chain");
        FakeFlowTables f = r.flowTables(FakeFlowTables.class);
        assertSame(r, f.madeFor);
        assertEquals(List.of(r.offload()), f.listeners, "the offload manager listens to the flow tables");
        assertSame(r.conntrack(), r.nft().services().connTracker);

        r.nft().execute("flush ruleset", "<cmdline>");
        assertTrue(r.router().hooks().isEmpty(Hook.FORWARD), "a hook point the ruleset no longer uses is unregistered");

        events.clear();
        r.close();
        assertEquals("stop flow tables", events.get(0), "flow tables before the router: " + events);
        assertEquals(Set.of("stop p0", "stop p1"), Set.copyOf(events.subList(1, 3)), "the router detached the ports: " + events);
        assertEquals(3, events.size(), events.toString());
        r.close();
        assertEquals(3, events.size(), "a second close does nothing");
    }

    @Test
    void startThreadsStartsTheFlowTables() throws Exception {
        try (TestRouter r = TestRouter.builder().flowTables(flowTables()).startThreads().build()) {
            assertEquals(List.of("start flow tables"), events);
            assertTrue(r.flowTables(FakeFlowTables.class).listeners.isEmpty(), "no offload manager to listen");
        }
    }

    @Test
    void theSeedRulesetDeclaresItsFlowtableAndHooks() throws Exception {
        for (boolean offload : new boolean[] { false, true }) {
            try (TestRouter r = TestRouter.builder().flowTables(flowTables()).ruleset(TestRouter.seedRuleset("p0", "p1", offload), "seed.nft").build()) {
                assertEquals(List.of(new FlowTableSpec("inet", "x", "ft", 0, Set.of("p0", "p1"), offload, true)),
                        r.flowTables(FakeFlowTables.class).specs);
                assertEquals(1, r.router().hooks().list(Hook.FORWARD).size(), "chain y");
                assertTrue(r.nft().list().contains("oifname \"p1\" masquerade"), r.nft().list());
            }
        }
    }

    @Test
    void aRulesetThatDoesNotLoadClosesWhatWasBuilt() {
        FakePort p0 = new FakePort("p0");
        TestRouter.Builder b = TestRouter.builder().port(p0).flowTables(flowTables()).ruleset("table inet x { chain y { nonsense } }", "bad.nft");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith("bad.nft does not load: "), e.getMessage());
        assertEquals(List.of("start p0", "stop flow tables", "stop p0"), events);
    }
}
