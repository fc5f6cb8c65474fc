package org.flowgate.tc.e2e;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.CtFlow;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.flowtable.ZoneTableView;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's three filters, verbatim but for the device name (ens1f0_0 is p0 here), on virtual
 * ports: a TCP connection from host A behind p0 is tracked, committed and sent VXLAN-encapsulated
 * to the VTEP 7.7.7.8 over up0; the VTEP's replies come back through vxlan0, are tracked as the
 * reply direction and redirected to p0; later packets of A match +trk+est.
 */
class SeedExampleTest {
    static final String SEED = """
            tc filter add dev ens1f0_0 ingress prio 1 chain 0 proto ip flower \\
                src_mac 24:8a:07:a5:28:01 ct_state -trk \\
                action ct \\
                pipe action goto chain 2
            """;
    static final String SEED2 = """
            tc filter add dev ens1f0_0 ingress prio 1 chain 2 proto ip flower \\
                ct_state +trk+new \\
                action ct commit \\
                pipe action tunnel_key set \\
                    src_ip 0.0.0.0 \\
                    dst_ip 7.7.7.8 \\
                    id 98 \\
                    dst_port 4789 \\
                action mirred egress redirect dev vxlan0
            """;
    static final String SEED3 = """
            tc filter add dev ens1f0_0 ingress prio 1 chain 2 proto ip flower \\
                ct_state +trk+est \\
                action tunnel_key set \\
                    src_ip 0.0.0.0 \\
                    dst_ip 7.7.7.8 \\
                    id 98 \\
                    dst_port 4789 \\
                action mirred egress redirect dev vxlan0
            """;

    TcWorld w;

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        w.add(SEED.replace("ens1f0_0", "p0"));
        w.add(SEED2.replace("ens1f0_0", "p0"));
        w.add(SEED3.replace("ens1f0_0", "p0"));
        // the return path (not in the seed): the VTEP's frames arrive on vxlan0, are tracked, and go to p0
        w.add("tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2");
        w.add("tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev p0");
    }

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] fromA(int seq, int ack, int flags) {
        return eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_TCP, tcp(40000, 80, seq, ack, flags, 65535, new byte[0])));
    }

    static byte[] fromB(int seq, int ack, int flags) {
        return eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_TCP, tcp(80, 40000, seq, ack, flags, 65535, new byte[0])));
    }

    /** The frame the VTEP sends: outer Ethernet/IPv4/UDP/VXLAN to 7.7.7.1:4789, VNI 98, around {@code inner}. */
    static byte[] fromVtep(byte[] inner) {
        byte[] vx = new byte[8 + inner.length];
        vx[0] = 0x08;
        put32(vx, 4, 98 << 8);
        System.arraycopy(inner, 0, vx, 8, inner.length);
        return eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, UP0_IP, Packet.PROTO_UDP, udp(51000, 4789, vx)));
    }

    /** Decodes one VXLAN frame sent on up0, checks every outer field and checksum, returns the inner frame. */
    static byte[] decodeVxlan(byte[] f) {
        assertEquals(VTEP_MAC, macAt(f, 0), "outer destination: the VTEP's MAC from the neighbour table");
        assertEquals(UP0_MAC, macAt(f, 6), "outer source: up0's MAC");
        assertEquals(0x0800, get16(f, 12));
        assertEquals(0x45, f[14] & 0xFF);
        assertEquals(f.length - 14, get16(f, 16), "IPv4 total length");
        assertEquals(64, f[22] & 0xFF, "default TTL");
        assertEquals(17, f[23] & 0xFF);
        assertEquals(UP0_IP, ip4At(f, 26), "src_ip 0.0.0.0: the underlay device's address");
        assertEquals(VTEP_IP, ip4At(f, 30));
        int udp = 34;
        int sport = get16(f, udp);
        assertTrue(sport >= 32768 && sport < 61000, "source port from Linux's range: " + sport);
        assertEquals(4789, get16(f, udp + 2));
        assertEquals(f.length - udp, get16(f, udp + 4), "UDP length");
        assertNotEquals(0, get16(f, udp + 6), "UDP checksum present (tunnel_key csum is the default)");
        assertTrue(checksumsOk(f, 14), "outer IPv4 header and UDP checksums verify");
        assertEquals(0x08, f[udp + 8] & 0xFF, "VXLAN I flag");
        assertEquals(0, get16(f, udp + 9) << 8 | (f[udp + 11] & 0xFF), "reserved bits");
        assertEquals(98, get32(f, udp + 12) >>> 8, "VNI");
        assertEquals(0, f[udp + 15], "reserved byte");
        return Arrays.copyOfRange(f, udp + 16, f.length);
    }

    @Test
    void connectionGoesThroughChainsConntrackAndVxlan() {
        byte[] syn = fromA(1000, 0, SYN);
        inject(w.p0, syn);

        List<byte[]> out = take(w.up0Out);
        assertEquals(1, out.size(), "the SYN left VXLAN-encapsulated on up0");
        assertArrayEquals(syn, decodeVxlan(out.get(0)), "inner frame byte for byte");
        assertEquals(1, w.filter("p0", 0, 1, 1).packets(), "chain 0: -trk, ct, goto chain 2");
        assertEquals(1, w.filter("p0", 2, 1, 1).packets(), "chain 2: +trk+new, ct commit, tunnel_key, redirect");
        assertEquals(0, w.filter("p0", 2, 1, 2).packets());
        ConnEntry e = w.conntrack.find(0, FiveTuple.of(A_IP, 40000, B_IP, 80, Packet.PROTO_TCP));
        assertNotNull(e, "ct commit inserted the connection in zone 0");
        assertTrue(e.isConfirmed());
        assertEquals(0, e.zone());
        assertEquals(0, e.status() & CtStatus.SEEN_REPLY);
        assertTrue(take(w.p0Out).isEmpty() && take(w.p1Out).isEmpty(), "redirected: not routed anywhere else");

        byte[] synAck = fromB(5000, 1001, SYN | ACK);
        inject(w.up0, fromVtep(synAck));
        List<byte[]> back = take(w.p0Out);
        assertEquals(1, back.size(), "the SYN-ACK was decapsulated on vxlan0 and redirected to p0");
        assertArrayEquals(synAck, back.get(0));
        assertEquals(1, w.filter("vxlan0", 2, 1, 1).packets(), "+trk+est on the reply");
        assertNotEquals(0, e.status() & CtStatus.SEEN_REPLY);

        byte[] ack = fromA(1001, 5001, ACK);
        inject(w.p0, ack);
        out = take(w.up0Out);
        assertEquals(1, out.size());
        assertArrayEquals(ack, decodeVxlan(out.get(0)));
        assertEquals(2, w.filter("p0", 0, 1, 1).packets());
        assertEquals(1, w.filter("p0", 2, 1, 1).packets(), "no second commit");
        assertEquals(1, w.filter("p0", 2, 1, 2).packets(), "later packets match +trk+est");
        assertEquals("ESTABLISHED", e.protoState());
        // one TCP connection; the outer VXLAN packets are tracked too (UDP, at OUTPUT), as Linux's ip_local_out does
        assertEquals(1, w.conntrack.list().stream().filter(c -> c.protocol() == Packet.PROTO_TCP).count());
        TcFilter f3 = w.filter("p0", 2, 1, 2);
        assertEquals(ack.length, f3.bytes());
        assertEquals(2, w.vxlan0.counters().get("encapsulated"));
        assertEquals(1, w.vxlan0.counters().get("decapsulated"));

        // established: the connection is in zone 0's flow table, owned by it
        assertTrue(e.isOffloaded(), "handed to the zone's flow table");
        List<CtFlow> flows = w.tc.ctFlows();
        assertEquals(1, flows.size());
        CtFlow flow = flows.get(0);
        assertEquals(0, flow.zone());
        assertEquals(FiveTuple.of(A_IP, 40000, B_IP, 80, Packet.PROTO_TCP), flow.original());
        assertFalse(flow.snat() || flow.dnat());

        byte[] data = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_TCP, tcp(40000, 80, 1001, 5001, ACK | PSH, 65535, "GET /".getBytes())));
        inject(w.p0, data);
        out = take(w.up0Out);
        assertEquals(1, out.size());
        assertArrayEquals(data, decodeVxlan(out.get(0)));
        assertEquals(1, w.tc.stats().get("ct_flow_hits"), "ct state came from the flow table, not from conntrack");
        assertEquals(2, w.filter("p0", 2, 1, 2).packets(), "and the packet continued at chain 2 as +trk+est");

        byte[] fin = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_TCP, tcp(40000, 80, 1006, 5001, ACK | FIN, 65535, new byte[0])));
        inject(w.p0, fin);
        assertEquals(1, take(w.up0Out).size());
        assertFalse(e.isOffloaded(), "a FIN gives the connection back to conntrack");
        assertTrue(w.tc.ctFlows().isEmpty());
        assertEquals("FIN_WAIT", e.protoState(), "conntrack saw the FIN");
    }

    /** Zone 0's flow table as the FlowTable service flow:list, flow:count and flow:stats read. */
    @Test
    void zoneFlowTableIsAFlowTable() {
        inject(w.p0, fromA(1000, 0, SYN));
        inject(w.up0, fromVtep(fromB(5000, 1001, SYN | ACK)));
        byte[] ack = fromA(1001, 5001, ACK);
        inject(w.p0, ack);
        byte[] data = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_TCP, tcp(40000, 80, 1001, 5001, ACK | PSH, 65535, "GET /".getBytes())));
        inject(w.p0, data);
        inject(w.up0, fromVtep(fromB(5001, 1006, ACK)));
        ZoneTableView t = new ZoneTableView(w.flowTables, w.flowTables.table(0));
        assertEquals("zone 0", t.name());
        assertEquals("tc ct zone 0", t.spec().family() + " " + t.spec().table() + " " + t.spec().name());
        assertEquals(1, t.count());
        FlowEntry f = t.list().get(0);
        assertEquals(FiveTuple.of(A_IP, 40000, B_IP, 80, Packet.PROTO_TCP), f.original());
        assertEquals(FiveTuple.of(B_IP, 80, A_IP, 40000, Packet.PROTO_TCP), f.reply());
        assertFalse(f.path(FlowEntry.ORIGINAL).snat() || f.path(FlowEntry.ORIGINAL).dnat());
        assertEquals(1, f.packets(FlowEntry.ORIGINAL), "the data packet took its state from the table");
        assertEquals(data.length, f.bytes(FlowEntry.ORIGINAL));
        assertEquals(1, f.packets(FlowEntry.REPLY), "and the VTEP's ACK");
        assertSame(w.conntrack.find(0, f.original()), f.conn());
        FlowTableStats s = t.stats();
        assertEquals(2, s.hits());
        assertEquals(1, s.added());
        assertEquals(0, s.misses(), "the table was made by the first established connection");
        inject(w.p0, eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_TCP, tcp(40001, 80, 1, 0, SYN, 65535, new byte[0]))));
        assertEquals(1, t.stats().misses(), "a new connection's SYN misses the table");

        assertTrue(t.delete(f));
        assertFalse(t.delete(f), "already gone");
        assertTrue(f.tornDown());
        assertFalse(f.conn().isOffloaded(), "given back to conntrack");
        assertEquals(0, t.count());
        assertEquals(1L, t.stats().gcEvictions().get("admin"));
        assertEquals(1, t.stats().removed());

        inject(w.p0, data); // established again: back in the table, flush empties it
        assertEquals(1, t.count());
        assertNotEquals(f.id(), t.list().get(0).id(), "ids are not reused");
        assertEquals(1, t.flush());
        assertEquals(0, t.count());
    }

    @Test
    void otherSourceMacsMissChainZeroAndAreRouted() {
        // not host A: no filter of chain 0 matches, the packet continues up the stack untracked by tc
        w.router.devices().addAddress("p0", org.flowgate.api.net.IpPrefix.parse("10.0.0.254/24"));
        byte[] f = eth(P0_MAC, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(1, 2, new byte[4])));
        inject(w.p0, f);
        assertEquals(0, w.filter("p0", 0, 1, 1).packets());
        assertTrue(take(w.up0Out).isEmpty());
        assertEquals(1, w.tc.stats().get("accepted"));
    }

    /** The encapsulated frame as tshark (Wireshark's dissectors, checksum validation on) reads it. */
    @Test
    void tsharkDecodesTheVxlanOutput() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/tshark").canExecute(), "tshark not installed: skipped");
        byte[] syn = fromA(1000, 0, SYN);
        inject(w.p0, syn);
        byte[] f = take(w.up0Out).get(0);
        java.nio.file.Path pcap = java.nio.file.Files.createTempFile("tc-vxlan", ".pcap");
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 16 + f.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            b.putInt(0).putInt(0).putInt(f.length).putInt(f.length).put(f);
            java.nio.file.Files.write(pcap, b.array());
            Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                    "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport",
                    "-e", "vxlan.vni", "-e", "eth.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "ip.checksum.status",
                    "-e", "udp.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.malformed").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            // outer then inner values; checksum status 1 = good; nothing malformed
            assertEquals("7.7.7.1,10.0.0.1|7.7.7.8,10.0.0.2|4789|98|02:00:00:00:07:01,24:8a:07:a5:28:01|40000|80|1,1|1|1|", out);
        } finally {
            java.nio.file.Files.deleteIfExists(pcap);
        }
    }
}
