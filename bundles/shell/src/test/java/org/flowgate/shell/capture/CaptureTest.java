package org.flowgate.shell.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frames through a capture land in a pcap file that tshark (and a reader here) reads back. */
class CaptureTest {
    @TempDir Path dir;

    @Test
    void receivedAndSentFramesOfTheDeviceAreWrittenInOrderUpToTheLimit() throws Exception {
        Path file = dir.resolve("eth1.pcap");
        Capture c = new Capture("eth1", file, 3, 65535, 64);
        c.start(() -> {});
        NetDevice eth1 = device("eth1"), eth2 = device("eth2");
        byte[] a = udp4(0x0a000102, 0x0a000202, 1111, "first"), b = udp4(0x0a000202, 0x0a000102, 2222, "second");
        c.frame(eth1, false, packet(a));
        c.frame(eth2, false, packet(udp4(1, 2, 3, "other device")));
        c.frame(eth1, true, packet(b));
        c.frame(eth1, false, packet(udp4(0x0a000102, 0x0a000202, 3333, "third")));
        c.frame(eth1, false, packet(udp4(0x0a000102, 0x0a000202, 4444, "over the limit")));
        assertTrue(c.await(5000), "capture ends by itself at its limit");
        assertEquals(3, c.written());

        List<byte[]> frames = read(file);
        assertEquals(3, frames.size());
        assertArrayEquals(a, frames.get(0));
        assertArrayEquals(b, frames.get(1));

        List<String> lines = tshark(file, "udp.dstport", "ip.src", "ip.dst", "frame.len");
        assertEquals(List.of("1111\t10.0.1.2\t10.0.2.2\t" + a.length, "2222\t10.0.2.2\t10.0.1.2\t" + b.length,
                "3333\t10.0.1.2\t10.0.2.2\t47"), lines);
    }

    @Test
    void withoutTapSupportReceivedFramesComeFromTheIngressHookOnly() throws Exception {
        Path file = dir.resolve("hook.pcap");
        Capture c = new Capture("eth1", file, 0, 65535, 64);
        c.receiveThroughHook(true);
        c.start(() -> {});
        NetDevice eth1 = device("eth1");
        Packet p = packet(udp4(0x0a000102, 0x0a000202, 53, "dns?"));
        p.setInDevice(eth1);
        assertEquals(Verdict.ACCEPT, c.process(Hook.INGRESS, p));
        c.frame(eth1, false, packet(udp4(1, 2, 3, "would be a duplicate")));
        c.stop();
        assertTrue(c.await(5000));
        assertEquals(1, read(file).size());
        assertEquals(List.of("53"), tshark(file, "udp.dstport"));
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        Path file = dir.resolve("full.pcap");
        Capture c = new Capture("eth1", file, 0, 65535, 16); // writer not started: nothing drains
        NetDevice eth1 = device("eth1");
        for (int i = 0; i < 20; i++) c.frame(eth1, false, packet(udp4(1, 2, i, "x")));
        assertEquals(4, c.dropped());
        c.start(() -> {});
        c.stop();
        assertTrue(c.await(5000));
        assertEquals(16, read(file).size());
    }

    @Test
    void framesLongerThanTheSnapLengthAreCutButKeepTheirLength() throws Exception {
        Path file = dir.resolve("snap.pcap");
        Capture c = new Capture("eth1", file, 1, 64, 16);
        c.start(() -> {});
        byte[] big = udp4(1, 2, 9, "y".repeat(500));
        c.frame(device("eth1"), true, packet(big));
        assertTrue(c.await(5000));
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, bb.getInt(0));
        assertEquals(64, bb.getInt(16), "snaplen");
        assertEquals(1, bb.getInt(20), "linktype ethernet");
        assertEquals(64, bb.getInt(24 + 8), "incl_len");
        assertEquals(big.length, bb.getInt(24 + 12), "orig_len");
        assertEquals(24 + 16 + 64, Files.size(file));
    }

    // ---------------------------------------------------------------- helpers

    static NetDevice device(String name) {
        return (NetDevice) Proxy.newProxyInstance(CaptureTest.class.getClassLoader(), new Class<?>[] {NetDevice.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "name" -> name;
                    case "toString" -> name;
                    case "hashCode" -> name.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    static Packet packet(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        return p;
    }

    /** Ethernet II + IPv4 (RFC 791, checksum filled) + UDP (RFC 768, checksum 0 = none). */
    static byte[] udp4(int src, int dst, int dstPort, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + data.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + data.length)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(src).putInt(dst);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) sum += ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        b.putShort(24, (short) ~sum);
        b.putShort((short) 40000).putShort((short) dstPort).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        return b.array();
    }

    /** A pcap reader independent of the writer's code: record headers, then the bytes. */
    static List<byte[]> read(Path file) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, bb.getInt());
        assertEquals(2, bb.getShort());
        assertEquals(4, bb.getShort());
        bb.position(24);
        List<byte[]> frames = new ArrayList<>();
        while (bb.remaining() >= 16) {
            bb.getInt();
            bb.getInt();
            int incl = bb.getInt();
            bb.getInt();
            byte[] f = new byte[incl];
            bb.get(f);
            frames.add(f);
        }
        assertEquals(0, bb.remaining(), "trailing bytes");
        return frames;
    }

    /** {@code tshark -r file -T fields -e ...}: one line per frame. */
    static List<String> tshark(Path file, String... fields) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/tshark").canExecute() || onPath("tshark"), "tshark is not installed (.ci/run installs it)");
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields"));
        for (String f : fields) { cmd.add("-e"); cmd.add(f); }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark exit status, output: " + out);
        return out.lines().toList();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) if (new File(d, tool).canExecute()) return true;
        return false;
    }
}
