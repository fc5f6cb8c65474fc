package org.flowgate.flowtable.fastpath;

import static org.flowgate.flowtable.support.Scenario.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Set;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.FakeDevice;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.TestWorld;
import org.flowgate.flowtable.table.Flow;
import org.flowgate.flowtable.table.FlowTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FastPathTest {
    private final TestWorld w = new TestWorld();

    private Verdict run(Frames f, FakeDevice in) { return w.fastPath.process(Hook.INGRESS, w.arriving(f, in)); }

    /** The one frame sent on {@code d}, parsed afresh. */
    private static Packet sentOn(FakeDevice d) {
        assertEquals(1, d.sent.size(), "frames sent on " + d);
        byte[] b = d.sent.remove(0);
        Packet p = new Packet();
        p.setFrame(b, 0, b.length);
        assertNull(p.parse(), "the sent frame parses");
        return p;
    }

    private static void assertChecksumsOk(Packet p) {
        if (p.isIpv4()) assertTrue(Frames.ipv4HeaderOk(p.array(), p.l3()), "IPv4 header checksum");
        assertTrue(Frames.l4Ok(p.array(), p.l3(), p.l4()), "transport checksum");
    }

    @ParameterizedTest
    @ValueSource(ints = { Frames.TCP, Frames.UDP })
    void masqueradeBothDirectionsWithChecksumsVerifiedFromScratch(int proto) {
        offload(w, proto);

        assertEquals(Verdict.STOLEN, run(outbound(proto), w.lan));
        Packet out = sentOn(w.wan);
        assertEquals(IpAddress.parse(ROUTER_WAN).v4(), out.ipv4Src());
        assertEquals(IpAddress.parse(SERVER).v4(), out.ipv4Dst());
        assertEquals(40000, out.srcPort());
        assertEquals(80, out.dstPort());
        assertEquals(63, out.ttl());
        assertEquals(TestWorld.GW_MAC, out.ethDst());
        assertEquals(TestWorld.WAN_MAC, out.ethSrc());
        assertChecksumsOk(out);

        assertEquals(Verdict.STOLEN, run(inbound(proto), w.wan));
        Packet back = sentOn(w.lan);
        assertEquals(IpAddress.parse(SERVER).v4(), back.ipv4Src());
        assertEquals(IpAddress.parse(H1).v4(), back.ipv4Dst());
        assertEquals(80, back.srcPort());
        assertEquals(40000, back.dstPort());
        assertEquals(63, back.ttl());
        assertEquals(TestWorld.H1_MAC, back.ethDst());
        assertEquals(TestWorld.LAN_MAC, back.ethSrc());
        assertChecksumsOk(back);

        assertEquals(2, w.table.stats().hits());
        Flow f = w.added.get(0);
        assertEquals(1, f.packets(FlowEntry.ORIGINAL));
        assertEquals(1, f.packets(FlowEntry.REPLY));
        assertEquals(out.ipLength(), f.bytes(FlowEntry.ORIGINAL));
    }

    @Test
    void prefetchOnlyForTablesThatMissTheCaches() {
        assertFalse(w.fastPath.prefetches(), "a small table stays in the caches");
        assertTrue(new TestWorld(true, 40_000).fastPath.prefetches(), "a table sized for 40k flows (10 MB of slots)");
    }

    @Test
    void prefetchLoadsAndChangesNothing() {
        TestWorld w = new TestWorld(true, 40_000); // large enough to prefetch at all
        assertTrue(w.fastPath.prefetches());
        offload(w, Frames.UDP);
        Packet p = w.arriving(outbound(Frames.UDP), w.lan);
        byte[] before = p.toByteArray();
        long misses = w.table.stats().misses(), hits = w.table.stats().hits();
        w.fastPath.prefetch(Hook.INGRESS, p);
        w.fastPath.prefetch(Hook.INGRESS, w.arriving(inbound(Frames.UDP), w.wan));
        assertArrayEquals(before, p.toByteArray(), "the packet is untouched");
        assertEquals(hits, w.table.stats().hits());
        assertEquals(misses, w.table.stats().misses());
        assertTrue(w.wan.sent.isEmpty() && w.lan.sent.isEmpty());
        assertEquals(Verdict.STOLEN, w.fastPath.process(Hook.INGRESS, p), "and the packet is forwarded as without it");
        assertEquals(IpAddress.parse(ROUTER_WAN).v4(), sentOn(w.wan).ipv4Src());
    }

    @Test
    void portTranslationAndDnatBothWays() {
        // a port forward: 203.0.113.9:5555 -> 192.0.2.1:8080 is DNATed to 10.0.1.2:80, and its source port remapped too
        FakeConn c = FakeConn.of(Frames.TCP, "203.0.113.9", 5555, ROUTER_WAN, 8080, H1, 80, "203.0.113.9", 5556).established();
        Frames first = Frames.tcp(TestWorld.WAN_MAC, TestWorld.GW_MAC, "203.0.113.9", 5555, ROUTER_WAN, 8080);
        w.table.offer(w.forwarded(first, c, FlowEntry.ORIGINAL, w.wan, w.lan));
        assertEquals(1, w.table.count());

        assertEquals(Verdict.STOLEN, run(first, w.wan));
        Packet in = sentOn(w.lan);
        assertEquals(IpAddress.parse("203.0.113.9").v4(), in.ipv4Src());
        assertEquals(IpAddress.parse(H1).v4(), in.ipv4Dst());
        assertEquals(5556, in.srcPort());
        assertEquals(80, in.dstPort());
        assertChecksumsOk(in);

        assertEquals(Verdict.STOLEN, run(Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, H1, 80, "203.0.113.9", 5556), w.lan));
        Packet reply = sentOn(w.wan);
        assertEquals(IpAddress.parse(ROUTER_WAN).v4(), reply.ipv4Src());
        assertEquals(8080, reply.srcPort());
        assertEquals(5555, reply.dstPort());
        assertEquals(TestWorld.GW_MAC, reply.ethDst());
        assertChecksumsOk(reply);
    }

    @Test
    void withoutNatOnlyTtlMacsAndTheIpChecksumChange() {
        FakeConn c = FakeConn.of(Frames.UDP, H1, 1000, "192.0.2.50", 2000, "192.0.2.50", 2000, H1, 1000).established();
        w.neighbour("wan", "192.0.2.50", 0x02_00_00_00_00_50L);
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, H1, 1000, "192.0.2.50", 2000).udp();
        w.table.offer(w.forwarded(f, c, 0, w.lan, w.wan));
        byte[] before = f.build();
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        Packet out = sentOn(w.wan);
        byte[] after = out.toByteArray();
        assertEquals(before.length, after.length);
        for (int i = 12; i < after.length; i++) {
            if (i == 14 + 8 || i == 14 + 10 || i == 14 + 11) continue; // TTL, header checksum
            assertEquals(before[i], after[i], "byte " + i);
        }
        assertEquals(0x02_00_00_00_00_50L, out.ethDst());
        assertChecksumsOk(out);
    }

    @Test
    void udpWithoutChecksumStaysWithout() {
        offload(w, Frames.UDP);
        Frames f = outbound(Frames.UDP);
        f.udpNoChecksum = true;
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        Packet out = sentOn(w.wan);
        assertEquals(0, out.u16(out.l4() + 6));
        assertEquals(IpAddress.parse(ROUTER_WAN).v4(), out.ipv4Src());
        assertTrue(Frames.ipv4HeaderOk(out.array(), out.l3()));
    }

    @Test
    void ipv6WithNptAndPortsBothDirections() {
        FakeConn c = FakeConn.of(Frames.TCP, "fd00:1::2", 40000, "2001:db8:9::7", 443, "2001:db8:9::7", 443, "2001:db8:2::1", 41000).established();
        Frames first = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "fd00:1::2", 40000, "2001:db8:9::7", 443);
        w.table.offer(w.forwarded(first, c, 0, w.lan, w.wan));
        assertEquals(1, w.table.count());

        assertEquals(Verdict.STOLEN, run(first, w.lan));
        Packet out = sentOn(w.wan);
        assertTrue(out.isIpv6());
        assertEquals(IpAddress.parse("2001:db8:2::1").hi(), out.ipv6SrcHi());
        assertEquals(IpAddress.parse("2001:db8:2::1").lo(), out.ipv6SrcLo());
        assertEquals(41000, out.srcPort());
        assertEquals(63, out.ttl());
        assertEquals(TestWorld.GW_MAC, out.ethDst());
        assertChecksumsOk(out);

        Frames back = Frames.tcp(TestWorld.WAN_MAC, TestWorld.GW_MAC, "2001:db8:9::7", 443, "2001:db8:2::1", 41000);
        assertEquals(Verdict.STOLEN, run(back, w.wan));
        Packet in = sentOn(w.lan);
        assertEquals(IpAddress.parse("fd00:1::2").lo(), in.ipv6DstLo());
        assertEquals(IpAddress.parse("fd00:1::2").hi(), in.ipv6DstHi());
        assertEquals(40000, in.dstPort());
        assertEquals(TestWorld.H1_MAC, in.ethDst());
        assertChecksumsOk(in);
    }

    @Test
    void ipv6UdpWithoutNat() {
        FakeConn c = FakeConn.of(Frames.UDP, "fd00:1::2", 5353, "2001:db8:9::7", 53, "2001:db8:9::7", 53, "fd00:1::2", 5353).established();
        Frames first = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "fd00:1::2", 5353, "2001:db8:9::7", 53).udp();
        w.table.offer(w.forwarded(first, c, 0, w.lan, w.wan));
        assertEquals(Verdict.STOLEN, run(first, w.lan));
        Packet out = sentOn(w.wan);
        assertEquals(63, out.ttl());
        assertChecksumsOk(out);
    }

    // ---- VLAN ----

    @Test
    void priorityTaggedFramesHitTheUntaggedFlowAndLeaveUntagged() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.vlan = 0;
        f.vlanPcp = 5;
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        Packet out = sentOn(w.wan);
        assertEquals(-1, out.vlanTci());
        assertChecksumsOk(out);
    }

    @Test
    void aTaggedFlowKeepsItsTagAndPriority() {
        FakeConn c = masqueraded(Frames.TCP).established();
        Frames f = outbound(Frames.TCP);
        f.vlan = 10;
        f.vlanPcp = 3;
        w.table.offer(w.forwarded(f, c, 0, w.lan, w.wan));
        FlowEntry e = w.added.get(0);
        assertEquals(10, e.path(0).inVlan());
        assertEquals(10, e.path(0).outVlan());
        assertEquals(10, e.path(1).inVlan());

        assertEquals(Verdict.ACCEPT, run(outbound(Frames.TCP), w.lan), "an untagged frame is another flow");
        assertEquals(1, w.table.stats().misses());
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        Packet out = sentOn(w.wan);
        assertEquals(10, out.vlanId());
        assertEquals(3, out.vlanTci() >>> 13);
        assertEquals(IpAddress.parse(ROUTER_WAN).v4(), out.ipv4Src());
        assertChecksumsOk(out);

        Frames back = inbound(Frames.TCP);
        back.vlan = 10;
        assertEquals(Verdict.STOLEN, run(back, w.wan));
        assertEquals(10, sentOn(w.lan).vlanId());
    }

    @Test
    void pushRetagAndPopAsTheFlowSays() {
        Flow f = flowWithVlans(-1, 20);
        Packet p = w.arriving(outbound(Frames.TCP), w.lan);
        Rewrite.ethernet(p, f.tuple(0));
        Packet q = reparse(p);
        assertEquals(20, q.vlanId());
        assertEquals(TestWorld.GW_MAC, q.ethDst());
        assertEquals(Packet.ETHERTYPE_IPV4, q.etherType());

        f = flowWithVlans(10, 20);
        Frames tagged = outbound(Frames.TCP);
        tagged.vlan = 10;
        tagged.vlanPcp = 6;
        p = w.arriving(tagged, w.lan);
        Rewrite.ethernet(p, f.tuple(0));
        q = reparse(p);
        assertEquals(20, q.vlanId());
        assertEquals(6, q.vlanTci() >>> 13);

        f = flowWithVlans(10, -1);
        p = w.arriving(tagged, w.lan);
        Rewrite.ethernet(p, f.tuple(0));
        q = reparse(p);
        assertEquals(-1, q.vlanTci());
        assertEquals(Packet.ETHERTYPE_IPV4, q.etherType());
        assertTrue(Frames.l4Ok(q.array(), q.l3(), q.l4()));
    }

    private Flow flowWithVlans(int in, int out) {
        FlowTuple.Spec a = new FlowTuple.Spec(), b = new FlowTuple.Spec();
        for (FlowTuple.Spec s : new FlowTuple.Spec[] { a, b }) {
            s.family = 4; s.proto = 6; s.inDevice = w.lan; s.outDevice = w.wan; s.dstMac = TestWorld.GW_MAC; s.srcMac = TestWorld.WAN_MAC; s.mtu = 1500;
        }
        a.inVlan = in;
        a.outVlan = out;
        return new Flow(1, masqueraded(6), a, b, 0);
    }

    private static Packet reparse(Packet p) {
        Packet q = new Packet();
        byte[] b = p.toByteArray();
        q.setFrame(b, 0, b.length);
        assertNull(q.parse());
        return q;
    }

    // ---- hand-back reasons ----

    private void assertHandedBack(String reason, Frames f, FakeDevice in) {
        long before = w.table.stats().handedBack().get(reason);
        assertEquals(Verdict.ACCEPT, run(f, in));
        assertEquals(before + 1, w.table.stats().handedBack().get(reason), reason);
        assertTrue(w.wan.sent.isEmpty() && w.lan.sent.isEmpty(), "nothing forwarded");
    }

    @Test
    void ttlOfOneGoesToTheClassicPath() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.ttl = 1;
        assertHandedBack("ttl", f, w.lan);
        f.ttl = 2;
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        assertEquals(1, sentOn(w.wan).ttl());
    }

    @Test
    void hopLimitOfOneGoesToTheClassicPath() {
        FakeConn c = FakeConn.of(Frames.UDP, "fd00:1::2", 5353, "2001:db8:9::7", 53, "2001:db8:9::7", 53, "fd00:1::2", 5353).established();
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "fd00:1::2", 5353, "2001:db8:9::7", 53).udp();
        w.table.offer(w.forwarded(f, c, 0, w.lan, w.wan));
        f.ttl = 1;
        assertHandedBack("ttl", f, w.lan);
    }

    @Test
    void overTheEgressMtuGoesToTheClassicPath() {
        w.wan.mtu = 100;
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.payload = 61; // 20 + 20 + 61 = 101 bytes of IP
        assertHandedBack("mtu", f, w.lan);
        f.payload = 60;
        assertEquals(Verdict.STOLEN, run(f, w.lan));
        assertEquals(100, sentOn(w.wan).ipLength());
    }

    @Test
    void ipOptionsGoToTheClassicPath() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.ipOptions = true;
        assertHandedBack("ip-options", f, w.lan);
    }

    @Test
    void fragmentsGoToTheClassicPath() {
        offload(w, Frames.UDP);
        Frames f = outbound(Frames.UDP);
        f.moreFragments = true;
        assertHandedBack("fragment", f, w.lan);
        f.moreFragments = false;
        f.fragmentOffset = 100;
        assertHandedBack("fragment", f, w.lan);
    }

    @Test
    void ipv6ExtensionHeadersGoToTheClassicPath() {
        FakeConn c = FakeConn.of(Frames.UDP, "fd00:1::2", 5353, "2001:db8:9::7", 53, "2001:db8:9::7", 53, "fd00:1::2", 5353).established();
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "fd00:1::2", 5353, "2001:db8:9::7", 53).udp();
        w.table.offer(w.forwarded(f, c, 0, w.lan, w.wan));
        f.ipv6HopByHop = true;
        assertHandedBack("ipv6-ext", f, w.lan);
    }

    @Test
    void otherProtocolsGoToTheClassicPath() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.proto = Frames.ICMP;
        assertHandedBack("unsupported", f, w.lan);
    }

    @Test
    void framesForAnotherMacGoToTheClassicPath() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.dstMac = 0x02_00_00_00_00_99L;
        assertHandedBack("not-for-us", f, w.lan);
    }

    @Test
    void aDownEgressGoesToTheClassicPath() {
        offload(w, Frames.TCP);
        w.wan.up = false;
        assertHandedBack("egress-down", outbound(Frames.TCP), w.lan);
    }

    @Test
    void finAndRstTearDown() {
        offload(w, Frames.TCP);
        Frames f = outbound(Frames.TCP);
        f.tcpFlags = 0x11;
        assertHandedBack("tcp-fin-rst", f, w.lan);
        assertTrue(w.added.get(0).tornDown());
        assertHandedBack("teardown", outbound(Frames.TCP), w.lan);
    }

    @Test
    void missesAreCountedAndOtherDevicesIgnored() {
        assertEquals(Verdict.ACCEPT, run(outbound(Frames.TCP), w.lan));
        assertEquals(1, w.table.stats().misses());
        assertEquals(Verdict.ACCEPT, run(outbound(Frames.TCP), w.dmz));
        assertEquals(1, w.table.stats().misses(), "dmz is not a device of the table");
    }

    @Test
    void withoutCounterNoPerFlowCounts() {
        TestWorld quiet = new TestWorld(false);
        offload(quiet, Frames.UDP);
        assertEquals(Verdict.STOLEN, quiet.fastPath.process(Hook.INGRESS, quiet.arriving(outbound(Frames.UDP), quiet.lan)));
        assertEquals(0, quiet.added.get(0).packets());
        assertEquals(1, quiet.table.stats().hits());
        assertEquals(Set.of("lan", "wan"), quiet.table.devices());
    }
}
