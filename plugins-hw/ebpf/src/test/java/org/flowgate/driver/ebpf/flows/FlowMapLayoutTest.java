package org.flowgate.driver.ebpf.flows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.junit.jupiter.api.Test;

/** The Java encoding against the C structs: byte by byte, and against the compiled object's BTF. */
class FlowMapLayoutTest {
    private static final Path OBJECT = Path.of("target/classes/org/flowgate/driver/ebpf/bpf/flowgate_offload.o");

    @Test
    void keyBytesForIpv4() {
        FiveTuple t = FiveTuple.of(IpAddress.parse("10.0.1.2"), 5555, IpAddress.parse("10.0.2.2"), 9, 17);
        byte[] k = FlowMapLayout.key(0x01020304, -1, t);
        byte[] expected = new byte[44];
        expected[0] = 4; expected[1] = 3; expected[2] = 2; expected[3] = 1;   // ifindex, host order (little endian)
        expected[6] = 4; expected[7] = 17;                                   // family, proto; vlan 0 = untagged
        expected[8] = 10; expected[9] = 0; expected[10] = 1; expected[11] = 2;
        expected[24] = 10; expected[25] = 0; expected[26] = 2; expected[27] = 2;
        expected[40] = (byte) 0x15; expected[41] = (byte) 0xB3;             // 5555, network order
        expected[42] = 0; expected[43] = 9;
        assertArrayEquals(expected, k);
        byte[] tagged = FlowMapLayout.key(1, 10, t);
        assertEquals(0x100A, (tagged[4] & 0xFF) | (tagged[5] & 0xFF) << 8, "0x1000 | VLAN id");
    }

    @Test
    void valueBytesForIpv6() {
        FiveTuple t = FiveTuple.of(IpAddress.parse("fd00:2::1"), 40000, IpAddress.parse("fd00:2::2"), 9, 17);
        byte[] v = FlowMapLayout.value(t, 0x0A0B0C0D0E0FL, 0x010203040506L, 7, 1500, true, 20);
        assertEquals(88, v.length);
        assertEquals((byte) 0xFD, v[0]);
        assertEquals(1, v[15]);
        assertEquals(2, v[31]);
        assertEquals((byte) (40000 >>> 8), v[32]);
        assertArrayEquals(new byte[] {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 1, 2, 3, 4, 5, 6}, java.util.Arrays.copyOfRange(v, 36, 48));
        assertEquals(7, v[48]);
        assertEquals(1500, (v[52] & 0xFF) | (v[53] & 0xFF) << 8);
        assertEquals(FlowMapLayout.F_DEC_TTL | FlowMapLayout.F_OUT_VLAN, v[54]);
        assertEquals(20, v[56]);
        assertEquals(0, FlowMapLayout.packets(v));
    }

    @Test
    void offsetsMatchTheCompiledObject() throws Exception {
        assumeTrue(Files.exists(OBJECT), "skipped: the BPF object was not built");
        Process p;
        try {
            p = new ProcessBuilder("bpftool", "btf", "dump", "file", OBJECT.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "skipped: bpftool is missing");
            return;
        }
        String btf = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "skipped: bpftool cannot read BTF: " + btf);

        Map<String, Integer> key = members(btf, "fg_key", FlowMapLayout.KEY_SIZE);
        assertEquals(Map.of("ifindex", FlowMapLayout.K_IFINDEX, "vlan", FlowMapLayout.K_VLAN, "family", FlowMapLayout.K_FAMILY,
                "proto", FlowMapLayout.K_PROTO, "src", FlowMapLayout.K_SRC, "dst", FlowMapLayout.K_DST,
                "sport", FlowMapLayout.K_SPORT, "dport", FlowMapLayout.K_DPORT), key);
        Map<String, Integer> val = members(btf, "fg_val", FlowMapLayout.VALUE_SIZE);
        for (var e : Map.of("src", FlowMapLayout.V_SRC, "dst", FlowMapLayout.V_DST, "sport", FlowMapLayout.V_SPORT,
                "dport", FlowMapLayout.V_DPORT, "dmac", FlowMapLayout.V_DMAC, "smac", FlowMapLayout.V_SMAC, "oif", FlowMapLayout.V_OIF,
                "mtu", FlowMapLayout.V_MTU, "flags", FlowMapLayout.V_FLAGS, "out_vlan", FlowMapLayout.V_OUT_VLAN).entrySet()) {
            assertEquals(e.getValue(), val.get(e.getKey()), e.getKey());
        }
        for (var e : Map.of("packets", FlowMapLayout.V_PACKETS, "bytes", FlowMapLayout.V_BYTES, "last_used", FlowMapLayout.V_LAST_USED).entrySet()) {
            assertEquals(e.getValue(), val.get(e.getKey()), e.getKey());
        }
    }

    /** Member byte offsets of a struct in {@code bpftool btf dump} output; checks its size. */
    private static Map<String, Integer> members(String btf, String struct, int size) {
        List<String> lines = btf.lines().toList();
        Pattern head = Pattern.compile("STRUCT '" + struct + "' size=(\\d+) vlen=(\\d+)");
        Pattern member = Pattern.compile("'(\\w+)' type_id=\\d+ bits_offset=(\\d+)");
        for (int i = 0; i < lines.size(); i++) {
            Matcher h = head.matcher(lines.get(i));
            if (!h.find()) continue;
            assertEquals(size, Integer.parseInt(h.group(1)), struct + " size");
            Map<String, Integer> m = new HashMap<>();
            for (int j = 1; j <= Integer.parseInt(h.group(2)); j++) {
                Matcher mm = member.matcher(lines.get(i + j));
                if (mm.find()) m.put(mm.group(1), Integer.parseInt(mm.group(2)) / 8);
            }
            m.keySet().removeIf(n -> n.startsWith("pad"));
            return m;
        }
        throw new AssertionError("no struct " + struct + " in the object's BTF");
    }
}
