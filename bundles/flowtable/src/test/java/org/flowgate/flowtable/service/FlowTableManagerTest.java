package org.flowgate.flowtable.service;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.flowtable.fastpath.FastPath;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.Scenario;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowTableManagerTest {
    final TestWorld w = new TestWorld();
    final Map<PacketHook, Map<String, Object>> hooks = new LinkedHashMap<>();
    final FlowTableManager m = new FlowTableManager(w.conntrack, w.routes(), w.neighbours(), w.devices(), Settings.DEFAULTS, (hook, props) -> {
        hooks.put(hook, props);
        return () -> hooks.remove(hook);
    });
    final List<String> events = new ArrayList<>();

    static final FlowTableSpec FT = new FlowTableSpec("inet", "x", "ft", -10, Set.of("lan", "wan"), false, true);

    @AfterEach
    void stop() throws InterruptedException { m.stop(); }

    @Test
    void configureMakesOneIngressHookPerTable() {
        m.configure(List.of(FT, new FlowTableSpec("ip", "y", "ft2", 5, Set.of("dmz"), true, false)));
        assertEquals(2, m.tables().size());
        assertEquals(2, hooks.size());
        Map<String, Object> props = hooks.values().iterator().next();
        assertEquals("ingress", props.get(PacketHook.HOOK));
        assertEquals(-10, props.get(PacketHook.PRIORITY));
        assertEquals("default", props.get("flowgate.instance"));
        assertEquals("inet x ft", props.get("flowgate.flowtable"));
        assertSame(m.table("inet", "x", "ft"), ((FastPath) hooks.keySet().iterator().next()).table());
        assertNull(m.table("inet", "x", "nope"));
    }

    @Test
    void reloadKeepsFlowsOfUnchangedTablesAndGivesBackTheOthers() {
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        FakeConn c = FakeConn.of(Frames.TCP, Scenario.H1, 40000, Scenario.SERVER, 80, Scenario.SERVER, 80, Scenario.ROUTER_WAN, 40000).established();
        TestWorld.offer(t, w.forwarded(Scenario.outbound(Frames.TCP), c, FlowEntry.ORIGINAL, w.lan, w.wan));
        assertEquals(1, t.count());
        m.configure(List.of(FT));
        assertSame(t, m.table("inet", "x", "ft"));
        assertEquals(1, t.count(), "same declaration: flows stay");
        m.configure(List.of());
        assertTrue(m.tables().isEmpty());
        assertTrue(hooks.isEmpty(), "hook unregistered");
        assertEquals(0, c.status & CtStatus.OFFLOAD, "the connection went back to conntrack");
    }

    @Test
    void listenersHearOfAddedAndRemovedFlowsOnTheWorker() {
        m.addListener(new FlowTableListener() {
            @Override public void flowAdded(FlowTable table, FlowEntry flow) { events.add("added " + table.name() + " " + flow.id()); }
            @Override public void flowRemoved(FlowTable table, FlowEntry flow) { events.add("removed " + table.name() + " " + flow.id()); }
        });
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        FakeConn c = Scenario.masqueraded(Frames.UDP).established();
        TestWorld.offer(t, w.forwarded(Scenario.outbound(Frames.UDP), c, FlowEntry.ORIGINAL, w.lan, w.wan));
        assertTrue(events.isEmpty(), "not on the packet path");
        m.runWorkerOnce();
        assertEquals(List.of("added ft 1"), events);
        t.flush();
        m.runWorkerOnce();
        assertEquals(List.of("added ft 1", "removed ft 1"), events);
    }

    @Test
    void theTimeoutSettingReachesTheTables() {
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        TestWorld.offer(t, w.forwarded(Scenario.outbound(Frames.UDP), Scenario.masqueraded(Frames.UDP).established(), 0, w.lan, w.wan));
        m.update(new Settings(1, 10, 1 << 20, 16));
        m.runWorkerOnce();
        assertEquals(1, t.count());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (t.count() > 0 && System.nanoTime() < deadline) {
            try { Thread.sleep(50); } catch (InterruptedException e) { throw new AssertionError(e); }
            m.runWorkerOnce(); // the manager's own clock: a real second passes
        }
        assertEquals(0, t.count(), "idle for more than the 1 s timeout");
        assertEquals(1L, t.stats().gcEvictions().get("idle"));
    }

    /** Offers a masqueraded UDP connection from h1's port {@code port}: one new flow. */
    private void offerFlow(FlowTable t, int port) {
        FakeConn c = FakeConn.of(Frames.UDP, Scenario.H1, port, Scenario.SERVER, 80, Scenario.SERVER, 80, Scenario.ROUTER_WAN, port).established();
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, Scenario.H1, port, Scenario.SERVER, 80);
        f.proto = Frames.UDP;
        TestWorld.offer(t, w.forwarded(f, c, FlowEntry.ORIGINAL, w.lan, w.wan));
    }

    private FlowTableListener recorder(String name, List<String> into) {
        return new FlowTableListener() {
            @Override public synchronized void flowAdded(FlowTable table, FlowEntry flow) { into.add(name + " added " + flow.id()); }
            @Override public synchronized void flowRemoved(FlowTable table, FlowEntry flow) { into.add(name + " removed " + flow.id()); }
        };
    }

    @Test
    void aListenerSubscribingAfterFlowsExistIsGivenThemFirst() {
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        offerFlow(t, 40001);
        offerFlow(t, 40002);
        m.runWorkerOnce();
        m.addListener(recorder("late", events));
        assertTrue(events.isEmpty(), "the replay runs on the worker, not on the subscribing thread");
        m.runWorkerOnce();
        assertEquals(List.of("late added 1", "late added 2"), events.stream().sorted().toList());
        offerFlow(t, 40003);
        t.flush();
        m.runWorkerOnce();
        assertEquals(List.of("late added 1", "late added 2", "late added 3", "late removed 1", "late removed 2", "late removed 3"),
                events.stream().sorted().toList());
        m.runWorkerOnce();
        assertEquals(6, events.size(), "nothing given twice");
    }

    @Test
    void aFlowWhoseAddedEventIsStillQueuedIsNotGivenTwice() {
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        m.addListener(recorder("early", events));
        m.runWorkerOnce();
        offerFlow(t, 40001);                         // raises an added event: the early listener exists
        m.addListener(recorder("late", events));     // its replay finds the flow, and the event is still queued
        m.runWorkerOnce();
        assertEquals(List.of("early added 1", "late added 1"), events.stream().sorted().toList());
        t.flush();
        m.runWorkerOnce();
        assertEquals(List.of("early added 1", "early removed 1", "late added 1", "late removed 1"), events.stream().sorted().toList());
    }

    @Test
    void aListenerSubscribingUnderConcurrentAddsHearsOfEveryFlowExactlyOnce() throws Exception {
        m.configure(List.of(FT));
        FlowTable t = m.table("inet", "x", "ft");
        m.start();
        List<String> late = java.util.Collections.synchronizedList(new ArrayList<>());
        // the packet path gives an offer up when the table lock stays busy (the worker's replay holds it):
        // offered again, as the connection's next packet would
        Thread adder = Thread.ofPlatform().start(() -> {
            for (int p = 20000; p < 22000; p++) {
                int before = t.count();
                for (int attempt = 0; attempt < 1000 && t.count() == before; attempt++) offerFlow(t, p);
            }
        });
        Thread.sleep(1);
        m.addListener(recorder("late", late));
        adder.join();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (late.size() < t.count() && System.nanoTime() < deadline) Thread.sleep(10);
        Thread.sleep(50); // a few more worker rounds: a duplicate would show now
        assertEquals(2000, t.count());
        assertEquals(2000, late.size(), "every flow once");
        assertEquals(2000, new java.util.HashSet<>(late).size(), "no flow twice");
    }
}
