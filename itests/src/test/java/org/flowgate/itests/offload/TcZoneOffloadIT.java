package org.flowgate.itests.offload;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import javax.inject.Inject;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tc.TcService;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.itests.Await;
import org.flowgate.itests.InFelix;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * The second seed in Felix, through DS and ConfigAdmin only: tc filters ({@code org.flowgate.tc})
 * with {@code ct zone 0 nat} and {@code ct commit ... nat src addr} between two cables held by the
 * emulated NIC ({@code org.flowgate.driver.emulated}, {@code ct.zones} standing for the offloaded
 * chain 0 filters). Zone 0's flow table (a {@code FlowTable} service of tc) is bound by the offload
 * manager, its flow goes to the NIC as ct-only rules; then the NIC NATs the frames and hands them to
 * software at chain 2 with zone 0, and tc resumes them there: chain 0's counters stand still while
 * the hosts keep receiving, with the same conntrack entry.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class TcZoneOffloadIT extends InFelix {
    private static final long WAIT = 15_000;
    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:7a:01:01"), MAC_B = MacAddress.parse("02:00:00:7a:02:01");
    private static final MacAddress HOST_A = MacAddress.parse("02:00:00:7a:01:02"), HOST_B = MacAddress.parse("02:00:00:7a:02:02");
    private static final IpAddress H1 = IpAddress.parse("10.122.0.1"), H2 = IpAddress.parse("10.122.0.2"), SNAT = IpAddress.parse("100.64.122.1");
    private static final int SPORT = 41000, DPORT = 7100;
    private static final String[] FILTERS = {
        "tc filter add dev tza ingress prio 1 chain 0 proto ip flower ct_state -trk action ct zone 0 nat pipe action goto chain 2",
        "tc filter add dev tza ingress prio 1 chain 2 proto ip flower ct_state +trk+new action ct commit zone 0 nat src addr 100.64.122.1 pipe action mirred egress redirect dev tzb",
        "tc filter add dev tza ingress prio 2 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev tzb",
        "tc filter add dev tzb ingress prio 1 chain 0 proto ip flower ct_state -trk action ct zone 0 nat pipe action goto chain 2",
        "tc filter add dev tzb ingress prio 2 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev tza",
    };

    @Inject NetDevices devices;
    @Inject ConnTracker conntrack;
    @Inject TcService tc;

    private Conversation traffic;
    private Bundle nic;

    @After
    public void stopTrafficAndNic() throws Exception {
        if (traffic != null) traffic.close();
        if (nic != null && nic.getState() != Bundle.UNINSTALLED) nic.uninstall();
    }

    @Test
    public void zoneFlowGoesToTheNicAndItsMissesResumeAtChain2() throws Exception {
        nic = context.installBundle(EmulatedNic.jar().toURI().toString());
        nic.start();
        org.osgi.service.cm.Configuration nicConfig = configAdmin.getConfiguration("org.flowgate.driver.emulated", "?");
        configurations.add(nicConfig);
        nicConfig.update(new Hashtable<>(Map.of("name", "nic7", "capacity", 64, "ct.zones", new String[] { "tza 0 2", "tzb 0 2" })));
        Wire a = new Wire("tza", MAC_A, SPORT), b = new Wire("tzb", MAC_B, DPORT);
        for (Wire w : List.of(a, b)) {
            registrations.add(context.registerService(Port.class, w, new Hashtable<>(Map.of(Port.NAME, w.name(), "flowgate.instance", "default",
                    "flowgate.nic", "nic7"))));
        }
        assertTrue("the NIC's ports attached: " + call("hw:ports"),
                await(() -> devices.byName("tza").isPresent() && devices.byName("tzb").isPresent()));
        org.osgi.service.cm.Configuration tcCfg = configAdmin.getConfiguration("org.flowgate.tc", "?");
        configurations.add(tcCfg);
        tcCfg.update(new Hashtable<>(Map.of("filters", FILTERS)));
        assertTrue("filters added", await(() -> tc.filters("tza").size() == 3 && tc.filters("tzb").size() == 2));

        traffic = new Conversation(new Conversation.Host(a, HOST_A, H1, SPORT), new Conversation.Host(b, HOST_B, H2, DPORT), SNAT);

        assertTrue("the conversation flows through tc: " + diag(), grows(b.received::get, 50) && grows(a.received::get, 50));
        ConnEntry entry = conntrack.find(0, FiveTuple.of(H1, SPORT, H2, DPORT, 17));
        assertNotNull("committed in zone 0", entry);
        assertTrue("the NIC's CT stage takes zone 0's flow (ct-only rules): " + diag(), grows(this::ctOnlyHits, 200));
        String flows = String.valueOf(call("flow:list"));
        assertTrue("flow:list shows zone 0's flow in hardware: " + flows, flows.contains("tc ct zone 0") && flows.contains(" hw hw"));

        long chain0 = filter("tza", 0, 1).packets(), chain0Reply = filter("tzb", 0, 1).packets(), est = filter("tza", 2, 2).packets();
        long atB = b.received.get(), atA = a.received.get(), hits = ctOnlyHits();
        Thread.sleep(1000);
        assertEquals("chain 0 stands still: misses resume at chain 2: " + diag(), chain0, filter("tza", 0, 1).packets());
        assertEquals("reply side too: " + diag(), chain0Reply, filter("tzb", 0, 1).packets());
        assertTrue("chain 2 +trk+est carries them", filter("tza", 2, 2).packets() > est + 50);
        assertTrue("the NIC keeps hitting", ctOnlyHits() > hits + 50);
        assertTrue("h2 keeps receiving", b.received.get() > atB + 50);
        assertTrue("h1 keeps receiving", a.received.get() > atA + 50);
        assertSame("the same conntrack entry", entry, conntrack.find(0, FiveTuple.of(H1, SPORT, H2, DPORT, 17)));
        assertEquals("committed with source NAT (the NIC applies it now)", SNAT, entry.reply().dst());
        assertEquals("h2 sees the NATed source port of the entry", entry.reply().dstPort, b.lastSourcePort);
        assertEquals("checksums at the hosts", 0, a.badChecksums.get() + b.badChecksums.get());
        assertTrue("tc counted the resumes: " + tc.stats(), tc.stats().get("resumed") > 100);
    }

    private TcFilter filter(String dev, int chain, int prio) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.prio() == prio) return f;
        throw new AssertionError("no filter " + dev + " chain " + chain + " prio " + prio);
    }

    private long ctOnlyHits() { return EmulatedNic.counter(call("hw:stats"), "ct-only-hits"); }

    private String diag() {
        return "\nflow list:\n" + call("flow:list") + "\noffload:flows " + call("offload:flows") + "\nhw:stats " + call("hw:stats")
                + "\nhw:tables " + call("hw:tables") + "\ntc stats " + tc.stats();
    }

    private static boolean grows(LongSupplier counter, long by) throws InterruptedException { return Await.grows(counter, by, WAIT); }

    private static boolean await(BooleanSupplier condition) throws InterruptedException { return Await.until(condition, WAIT); }

}
