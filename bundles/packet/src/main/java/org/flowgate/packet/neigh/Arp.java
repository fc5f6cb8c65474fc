package org.flowgate.packet.neigh;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.AddressSet;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.frame.Frames;

/** ARP (RFC 826) for Ethernet/IPv4: learning, answering for our addresses, requests. */
public final class Arp {
    private Arp() {}

    public static final int REQUEST = 1, REPLY = 2;
    /** Minimum ARP frame without padding. */
    public static final int FRAME_LEN = Packet.ETH_HLEN + 28;

    /**
     * Handles a parsed ARP frame received on {@code in}, as Linux does with arp_accept=0: updates
     * an existing entry for the sender from any ARP, creates one from a request for one of our
     * addresses (or a gratuitous ARP on a connected network), confirms it from a reply to us,
     * and turns a request for our address into the reply in place.
     *
     * @return true when {@code p} now holds a reply to transmit on {@code in}
     */
    public static boolean receive(Device in, Packet p, NeighbourCache cache, long nowNanos) {
        int a = p.l3();
        int op = p.u16(a + 6);
        long sha = p.mac(a + 8);
        int spa = p.u32(a + 14);
        int tpa = p.u32(a + 24);
        AddressSet ours = in.addressSet();
        boolean forUs = ours.hasV4(tpa);
        boolean validSender = spa != 0 && spa != -1 && (spa >>> 28) != 0xE && (sha & 0x0100_0000_0000L) == 0 && !ours.hasV4(spa);
        if (validSender) {
            long spaLo = spa & 0xFFFF_FFFFL;
            boolean gratuitous = spa == tpa;
            boolean create = (forUs && op == REQUEST) || (gratuitous && onLink(ours, spa));
            boolean confirmed = forUs && op == REPLY;
            cache.learn(in, IpAddress.IPV4, 0, spaLo, sha, confirmed, create, nowNanos);
        }
        if (op != REQUEST || !forUs || (sha & 0x0100_0000_0000L) != 0) return false;
        // the reply, in place: swap sender and target, our MAC as sender (an ARP probe with spa 0 gets tpa 0)
        p.setEthDst(sha);
        p.setEthSrc(in.macBits());
        p.setU16(a + 6, REPLY);
        p.setMac(a + 18, sha);
        p.setU32(a + 24, spa);
        p.setMac(a + 8, in.macBits());
        p.setU32(a + 14, tpa);
        p.setLength(Math.max(FRAME_LEN, Math.min(p.length(), 60)));
        return true;
    }

    private static boolean onLink(AddressSet ours, int addr) {
        int src = ours.v4SourceFor(addr);
        if (src == 0) return false;
        for (var pfx : ours.list()) {
            if (pfx.address().isV4() && pfx.contains(IpAddress.v4(addr))) return true;
        }
        return false;
    }

    /** Builds an ARP request for {@code target} from {@code dev}; {@code unicastMac} -1 broadcasts it. */
    public static void request(Packet out, Device dev, int target, long unicastMac) {
        long dst = unicastMac < 0 ? Frames.BROADCAST_MAC : unicastMac;
        int a = Frames.ethernet(out, FRAME_LEN, dst, dev.macBits(), Packet.ETHERTYPE_ARP);
        out.setU16(a, 1);
        out.setU16(a + 2, Packet.ETHERTYPE_IPV4);
        out.setU8(a + 4, 6);
        out.setU8(a + 5, 4);
        out.setU16(a + 6, REQUEST);
        out.setMac(a + 8, dev.macBits());
        out.setU32(a + 14, dev.addressSet().v4SourceFor(target));
        out.setMac(a + 18, 0);
        out.setU32(a + 24, target);
    }
}
