package org.flowgate.io.afpacket.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The layouts against the sizes and offsets of {@code <linux/if_packet.h>} and {@code <net/if.h>} on 64-bit Linux. */
class TpacketLayoutTest {

    @Test
    void tpacket3HeaderMatchesTheKernel() {
        assertEquals(48, Tpacket.TPACKET3_HDR.byteSize());
        assertEquals(0, Tpacket.HDR_NEXT_OFFSET);
        assertEquals(12, Tpacket.HDR_SNAPLEN);
        assertEquals(16, Tpacket.HDR_LEN);
        assertEquals(20, Tpacket.HDR_STATUS);
        assertEquals(24, Tpacket.HDR_MAC);
        assertEquals(32, Tpacket.HDR_VLAN_TCI);
        assertEquals(36, Tpacket.HDR_VLAN_TPID);
        // TPACKET3_HDRLEN = TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll)
        assertEquals(48 + 20, Tpacket.TPACKET3_HDRLEN);
        assertEquals(48 + 10, Tpacket.HDR_PKTTYPE);
        assertEquals(48, Tpacket.TX_DATA_OFFSET);
    }

    @Test
    void blockDescriptorMatchesTheKernel() {
        assertEquals(48, Tpacket.BLOCK_DESC.byteSize());
        assertEquals(8, Tpacket.BLOCK_STATUS);
        assertEquals(12, Tpacket.BLOCK_NUM_PKTS);
        assertEquals(16, Tpacket.BLOCK_FIRST_PKT);
        assertEquals(24, Tpacket.BLOCK_SEQ);
    }

    @Test
    void socketStructsMatchTheKernel() {
        assertEquals(28, Tpacket.TPACKET_REQ3.byteSize());
        assertEquals(20, Tpacket.SOCKADDR_LL.byteSize());
        assertEquals(16, Tpacket.PACKET_MREQ.byteSize());
        assertEquals(12, Tpacket.TPACKET_STATS_V3.byteSize());
        assertEquals(40, Tpacket.IFREQ.byteSize());
    }

    @Test
    void alignsToSixteen() {
        assertEquals(0, Tpacket.align(0));
        assertEquals(16, Tpacket.align(1));
        assertEquals(48, Tpacket.align(48));
        assertEquals(80, Tpacket.align(68));
    }
}
