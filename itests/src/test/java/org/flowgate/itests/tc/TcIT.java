package org.flowgate.itests.tc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tc.TcService;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.itests.Await;
import org.flowgate.itests.InFelix;
import org.flowgate.itests.TestPort;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * tc's components in Felix: PID {@code org.flowgate.tc} carries the seed's three filters (device
 * p0), a factory configuration of {@code org.flowgate.tc.vxlan} makes vxlan0 over the test port
 * up0. A TCP connection from host A on p0 goes chain 0 -> ct -> chain 2 (+trk+new, commit) ->
 * tunnel_key -> redirect to vxlan0 and leaves up0 VXLAN-encapsulated; the VTEP's reply comes back
 * through vxlan0; once established the connection is in zone 0's flow table, which
 * {@code flow:list} shows. {@code tc:filter show} prints the filters with their counters.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class TcIT extends InFelix {
    private static final long WAIT = 10_000;
    private static final MacAddress P0_MAC = MacAddress.parse("02:00:00:78:00:01"), UP0_MAC = MacAddress.parse("02:00:00:78:07:01"),
            VTEP_MAC = MacAddress.parse("02:00:00:78:07:08");
    private static final MacAddress HOST_A = MacAddress.parse("24:8a:07:a5:28:01"), HOST_B = MacAddress.parse("24:8a:07:a5:28:02");
    private static final IpAddress A_IP = IpAddress.parse("10.0.0.1"), B_IP = IpAddress.parse("10.0.0.2"),
            UP0_IP = IpAddress.parse("7.7.7.1"), VTEP_IP = IpAddress.parse("7.7.7.8");
    private static final int SYN = 0x02, ACK = 0x10;

    /** The seed's filters verbatim, but for the device name (ens1f0_0 is p0 here). */
    static final String[] SEED = {
        "tc filter add dev p0 ingress prio 1 chain 0 proto ip flower src_mac 24:8a:07:a5:28:01 ct_state -trk action ct pipe action goto chain 2",
        "tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+new action ct commit pipe "
                + "action tunnel_key set src_ip 0.0.0.0 dst_ip 7.7.7.8 id 98 dst_port 4789 action mirred egress redirect dev vxlan0",
        "tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est "
                + "action tunnel_key set src_ip 0.0.0.0 dst_ip 7.7.7.8 id 98 dst_port 4789 action mirred egress redirect dev vxlan0",
        // the return path (not in the seed): the VTEP's frames arrive on vxlan0, are tracked and go to p0
        "tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2",
        "tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev p0",
    };

    @Inject NetDevices devices;
    @Inject NeighbourTable neighbours;
    @Inject TcService tc;
    @Inject ConnTracker conntrack;

    @Test
    public void seedFiltersTakeAConnectionThroughCtIntoVxlanAndTheZoneFlowTable() throws Exception {
        TestPort p0 = port("p0", P0_MAC), up0 = port("up0", UP0_MAC);
        devices.addAddress("up0", IpPrefix.parse("7.7.7.1/24"));
        neighbours.addStatic(VTEP_IP, "up0", VTEP_MAC);

        org.osgi.service.cm.Configuration vx = configAdmin.createFactoryConfiguration("org.flowgate.tc.vxlan", "?");
        configurations.add(vx);
        vx.update(new Hashtable<>(Map.of("name", "vxlan0")));
        await("vxlan0 attached by the packet path", () -> devices.byName("vxlan0").isPresent());

        org.osgi.service.cm.Configuration tcCfg = configAdmin.getConfiguration("org.flowgate.tc", "?");
        configurations.add(tcCfg);
        tcCfg.update(new Hashtable<>(Map.of("filters", SEED)));
        await("the configured filters added", () -> tc.filters("p0").size() == 3 && tc.filters("vxlan0").size() == 2);

        byte[] syn = tcp4(HOST_B, HOST_A, A_IP, B_IP, 40000, 80, 1000, 0, SYN);
        p0.inject(syn);
        byte[] out = up0.awaitSent(f -> isUdp4To(f, VTEP_IP, 4789), WAIT);
        assertNotNull("the SYN left up0 VXLAN-encapsulated; sent " + up0.sent().size() + "; " + tc.stats(), out);
        assertEquals("outer destination MAC: the VTEP's", VTEP_MAC, dstMac(out));
        assertEquals("outer source: up0's address (src_ip 0.0.0.0)", UP0_IP.v4(), u32(out, 26));
        assertEquals("VXLAN I flag", 0x08, u8(out, 42));
        assertEquals("VNI", 98, u32(out, 46) >>> 8);
        assertArrayEquals("the inner frame byte for byte", syn, Arrays.copyOfRange(out, 50, out.length));
        assertEquals("chain 0: -trk, ct, goto chain 2", 1, filter("p0", 0, 1, 1).packets());
        assertEquals("chain 2: +trk+new, ct commit, tunnel_key, redirect", 1, filter("p0", 2, 1, 1).packets());
        assertEquals(0, filter("p0", 2, 1, 2).packets());
        FiveTuple tuple = FiveTuple.of(A_IP, 40000, B_IP, 80, Packet.PROTO_TCP);
        ConnEntry e = conntrack.find(0, tuple);
        assertNotNull("ct commit confirmed the connection in zone 0", e);
        assertTrue(e.isConfirmed());

        byte[] synAck = tcp4(HOST_A, HOST_B, B_IP, A_IP, 80, 40000, 5000, 1001, SYN | ACK);
        up0.inject(vxlan(synAck));
        assertNotNull("the SYN-ACK decapsulated on vxlan0 and redirected to p0", p0.awaitSent(f -> Arrays.equals(f, synAck), WAIT));
        assertEquals("+trk+est on the reply", 1, filter("vxlan0", 2, 1, 1).packets());

        byte[] ack = tcp4(HOST_B, HOST_A, A_IP, B_IP, 40000, 80, 1001, 5001, ACK);
        p0.inject(ack);
        assertNotNull(up0.awaitSent(f -> isUdp4To(f, VTEP_IP, 4789) && Arrays.equals(ack, Arrays.copyOfRange(f, 50, f.length)), WAIT));
        assertEquals("later packets match +trk+est", 1, filter("p0", 2, 1, 2).packets());
        assertEquals("ESTABLISHED", e.protoState());
        assertTrue("established: owned by zone 0's flow table", e.isOffloaded());

        String shown = output("tc:filter show dev p0 ingress");
        assertTrue(shown, shown.contains("chain 2") && shown.contains("ct_state +trk+new") && shown.contains("tunnel_key"));
        assertTrue(shown, shown.contains("Sent " + syn.length + " bytes 1 pkt"));
        assertTrue(shown, shown.contains("Sent " + (syn.length + ack.length) + " bytes 2 pkt"));

        // the zone's table is a FlowTable service: flow:list and flow:count show it (registered by the 1 s gc pass)
        await("flow:count shows zone 0", () -> output("flow:count").contains("tc ct zone 0: 1"));
        String flows = output("flow:list");
        assertTrue(flows, flows.contains("flowtable tc ct zone 0 ") && flows.contains("original src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80"));
        assertTrue(output("flow:stats"), output("flow:stats").contains("tc ct zone 0: flows=1"));

        // a configuration change replaces the configured filters
        tcCfg.update(new Hashtable<>(Map.of("filters", new String[] {SEED[0]})));
        await("the configured filters replaced", () -> tc.filters("p0").size() == 1 && tc.filters("vxlan0").isEmpty());
    }

    private TestPort port(String name, MacAddress mac) throws InterruptedException {
        TestPort p = new TestPort(name, mac);
        attach("default", devices, p);
        return p;
    }

    private TcFilter filter(String dev, int chain, int prio, int handle) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.prio() == prio && f.handle() == handle) return f;
        throw new AssertionError("no filter " + dev + " chain " + chain + " prio " + prio + " handle " + handle + ": " + tc.filters(dev));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        if (!Await.until(condition, WAIT)) throw new AssertionError("timed out waiting: " + what);
    }

    /** What the command printed; a failing command fails the test. */
    private String output(String command) {
        try {
            return String.valueOf(run(command));
        } catch (Exception e) {
            throw new AssertionError(command + ": " + e, e);
        }
    }

    /** The VTEP's frame: Ethernet/IPv4/UDP to 7.7.7.1:4789 with a VXLAN header (RFC 7348, VNI 98) around {@code inner}. */
    private static byte[] vxlan(byte[] inner) {
        byte[] payload = new byte[8 + inner.length];
        payload[0] = 0x08;
        payload[4] = 0;
        payload[5] = 0;
        payload[6] = 98;
        System.arraycopy(inner, 0, payload, 8, inner.length);
        return udp4(UP0_MAC, VTEP_MAC, VTEP_IP, UP0_IP, 64, 51000, 4789, payload);
    }

    /** Ethernet/IPv4/TCP (RFC 793, 20-byte header, window 65535, no payload) with valid checksums. */
    private static byte[] tcp4(MacAddress dst, MacAddress src, IpAddress from, IpAddress to, int sport, int dport, int seq, int ack, int flags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40);
        byte[] m = new byte[6];
        dst.write(m, 0); b.put(m);
        src.write(m, 0); b.put(m);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 0x4321).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(from.v4()).putInt(to.v4());
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack).put((byte) 0x50).put((byte) flags)
                .putShort((short) 0xFFFF).putShort((short) 0).putShort((short) 0);
        byte[] f = b.array();
        int ipSum = Checksums.checksum(f, 14, 20);
        f[24] = (byte) (ipSum >>> 8);
        f[25] = (byte) ipSum;
        int tcpSum = Checksums.finish(Checksums.sum(f, 34, 20, Checksums.pseudoV4(from.v4(), to.v4(), 6, 20)));
        f[50] = (byte) (tcpSum >>> 8);
        f[51] = (byte) tcpSum;
        return f;
    }

    private static int u8(byte[] f, int i) { return f[i] & 0xFF; }

    private static int u16(byte[] f, int i) { return u8(f, i) << 8 | u8(f, i + 1); }

    private static int u32(byte[] f, int i) { return u16(f, i) << 16 | u16(f, i + 2); }

    private static MacAddress dstMac(byte[] f) { return MacAddress.of(f, 0); }

    private static boolean isUdp4To(byte[] f, IpAddress dst, int dport) {
        return f.length >= 42 && u16(f, 12) == 0x0800 && u8(f, 23) == 17 && u32(f, 30) == dst.v4() && u16(f, 14 + (u8(f, 14) & 0xF) * 4 + 2) == dport;
    }

    /** Ethernet/IPv4/UDP (RFC 894, 791, 768) with valid checksums. */
    private static byte[] udp4(MacAddress dst, MacAddress src, IpAddress from, IpAddress to, int ttl, int sport, int dport, byte[] payload) {
        int udpLen = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + udpLen);
        byte[] m = new byte[6];
        dst.write(m, 0); b.put(m);
        src.write(m, 0); b.put(m);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLen)).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) 17).putShort((short) 0).putInt(from.v4()).putInt(to.v4());
        b.putShort((short) sport).putShort((short) dport).putShort((short) udpLen).putShort((short) 0).put(payload);
        byte[] f = b.array();
        int ipSum = Checksums.checksum(f, 14, 20);
        f[24] = (byte) (ipSum >>> 8);
        f[25] = (byte) ipSum;
        int udpSum = Checksums.finish(Checksums.sum(f, 34, udpLen, Checksums.pseudoV4(from.v4(), to.v4(), 17, udpLen)));
        if (udpSum == 0) udpSum = 0xFFFF;
        f[40] = (byte) (udpSum >>> 8);
        f[41] = (byte) udpSum;
        return f;
    }
}
