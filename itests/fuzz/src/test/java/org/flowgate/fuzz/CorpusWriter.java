package org.flowgate.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.flowgate.fuzz.support.Frames;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.fuzz.support.SeedFrames;

/**
 * Writes the seed corpus into src/test/resources (run by hand after changing the seeds:
 * {@code java ... CorpusWriter <module dir>}; the files are committed, Jazzer adds its findings beside them).
 */
public final class CorpusWriter {
    static final String BASE = "src/test/resources/org/flowgate/fuzz/";

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Path packets = root.resolve(BASE + "PacketPathFuzzTestInputs/packetPath");
        Files.createDirectories(packets);
        for (SeedFrames.Seed s : SeedFrames.seeds()) {
            write(packets.resolve("seed-" + s.name()), Frames.OUR_MAC | Frames.FIX_CHECKSUMS, s.frame());
            write(packets.resolve("seed-" + s.name() + "-raw"), 0, s.frame());
        }
        write(packets.resolve("seed-udp-h1-h2-then-timeout"), 0x40 | 30, SeedFrames.seeds().get(0).frame());

        Path nft = root.resolve(BASE + "NftParserFuzzTestInputs/nftParser");
        Files.createDirectories(nft);
        Files.writeString(nft.resolve("seed-world"), "flush ruleset\n" + RouterWorld.RULESET);
        for (String f : List.of("flow-offload-2017.nft", "full.nft", "kernel-nat.nft")) {
            Path src = root.resolve("../../bundles/nft/src/test/resources/seeds/" + f);
            if (Files.exists(src)) Files.copy(src, nft.resolve("seed-" + f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(nft.resolve("seed-commands"), """
                add rule inet x y tcp dport 80 counter accept
                insert rule inet x y position 3 ip daddr 10.0.2.0/24 udp dport { 53, 123-125 } drop
                add element inet x blocked { 198.51.100.7 }
                delete rule inet x y handle 4
                add set inet x s2 { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22 } }
                add map inet x m { type inet_service : verdict; elements = { 22 : drop } }
                add rule inet x y tcp dport vmap @m
                """);
        Files.writeString(nft.resolve("seed-bad"), "table inet x { chain y { type filter hook forward priority 0; tcp dport 70000 accept } }\n");

        Path tc = root.resolve(BASE + "TcParserFuzzTestInputs/tcParser");
        Files.createDirectories(tc);
        Files.writeString(tc.resolve("seed-ct"), """
                tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2
                tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+new action ct commit nat src addr 10.0.2.1 port 1000-2000 pipe action mirred egress redirect dev p1
                tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action ct nat pipe action mirred egress redirect dev p1
                """);
        Files.writeString(tc.resolve("seed-actions"), """
                tc filter add dev p0 ingress prio 2 proto ip flower ip_proto udp dst_port 5001 action pedit ex munge ip ttl set 9 pipe action csum iph udp pipe action pass
                tc filter add dev p1 ingress proto ip flower src_ip 10.0.1.0/24 ip_proto tcp tcp_flags 0x2/0x2 action drop
                tc filter add dev p0 ingress proto ip flower action nat ingress 10.0.2.2 10.9.9.9 pipe action mirred egress mirror dev p1
                tc filter add dev p1 ingress prio 3 protocol 802.1q flower vlan_id 10 action drop
                tc filter add dev p0 ingress matchall action tunnel_key set src_ip 1.1.1.1 dst_ip 7.7.7.8 id 5 dst_port 4789 pipe action continue
                """);
        Files.writeString(tc.resolve("seed-bad"), "tc filter add dev p0 ingress proto ip flower src_mac 24:8a:07:a5:28 action drop\n");
    }

    static void write(Path p, int flags, byte[] frame) throws IOException {
        byte[] b = new byte[frame.length + 1];
        b[0] = (byte) flags;
        System.arraycopy(frame, 0, b, 1, frame.length);
        Files.write(p, b);
    }
}
