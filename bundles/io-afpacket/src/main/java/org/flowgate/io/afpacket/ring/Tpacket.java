package org.flowgate.io.afpacket.ring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;

/**
 * The kernel structures of {@code <linux/if_packet.h>} for TPACKET_V3, as memory layouts, and the
 * byte offsets the ring code reads. Native byte order except {@code sll_protocol}, which is network
 * order.
 */
public final class Tpacket {
    public static final int TPACKET_V3 = 2;
    public static final int TPACKET_ALIGNMENT = 16;

    // socket options (SOL_PACKET)
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_LOSS = 14;
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_MR_PROMISC = 1;

    // sll_pkttype
    public static final int PACKET_OUTGOING = 4;

    // RX status
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_COPY = 1 << 1;
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** The sender left the L4 checksum to the device (CHECKSUM_PARTIAL): it is not filled in yet. */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    // TX status
    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 1 << 1;
    public static final int TP_STATUS_WRONG_FORMAT = 1 << 2;

    public static final StructLayout TPACKET3_HDR = structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            JAVA_INT.withName("tp_rxhash"),
            JAVA_INT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid"),
            JAVA_SHORT.withName("tp_padding"),
            sequenceLayout(8, JAVA_BYTE).withName("tp_padding8"));

    /** {@code struct tpacket_block_desc} with its {@code tpacket_hdr_v1}. */
    public static final StructLayout BLOCK_DESC = structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            JAVA_INT.withName("block_status"),
            JAVA_INT.withName("num_pkts"),
            JAVA_INT.withName("offset_to_first_pkt"),
            JAVA_INT.withName("blk_len"),
            JAVA_LONG.withName("seq_num"),
            JAVA_INT.withName("ts_first_sec"),
            JAVA_INT.withName("ts_first_nsec"),
            JAVA_INT.withName("ts_last_sec"),
            JAVA_INT.withName("ts_last_nsec"));

    public static final StructLayout TPACKET_REQ3 = structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"),
            JAVA_INT.withName("tp_retire_blk_tov"),
            JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word"));

    public static final StructLayout SOCKADDR_LL = structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            sequenceLayout(8, JAVA_BYTE).withName("sll_addr"));

    public static final StructLayout PACKET_MREQ = structLayout(
            JAVA_INT.withName("mr_ifindex"),
            JAVA_SHORT.withName("mr_type"),
            JAVA_SHORT.withName("mr_alen"),
            sequenceLayout(8, JAVA_BYTE).withName("mr_address"));

    /** {@code struct tpacket_stats_v3}. */
    public static final StructLayout TPACKET_STATS_V3 = structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"),
            JAVA_INT.withName("tp_freeze_q_cnt"));

    /** {@code struct ifreq}: a 16-byte name and a 24-byte union (flags, mtu or a sockaddr). */
    public static final StructLayout IFREQ = structLayout(
            sequenceLayout(16, JAVA_BYTE).withName("ifr_name"),
            JAVA_SHORT.withName("ifr_hwaddr_family"),
            sequenceLayout(14, JAVA_BYTE).withName("ifr_hwaddr_data"),
            paddingLayout(8));
    public static final int IFNAMSIZ = 16;

    // tpacket3_hdr
    public static final long HDR_NEXT_OFFSET = off(TPACKET3_HDR, "tp_next_offset");
    public static final long HDR_SEC = off(TPACKET3_HDR, "tp_sec");
    public static final long HDR_NSEC = off(TPACKET3_HDR, "tp_nsec");
    public static final long HDR_SNAPLEN = off(TPACKET3_HDR, "tp_snaplen");
    public static final long HDR_LEN = off(TPACKET3_HDR, "tp_len");
    public static final long HDR_STATUS = off(TPACKET3_HDR, "tp_status");
    public static final long HDR_MAC = off(TPACKET3_HDR, "tp_mac");
    public static final long HDR_VLAN_TCI = off(TPACKET3_HDR, "tp_vlan_tci");
    public static final long HDR_VLAN_TPID = off(TPACKET3_HDR, "tp_vlan_tpid");
    /** The sockaddr_ll the kernel writes after the aligned header of each received frame. */
    public static final long HDR_SLL = align(TPACKET3_HDR.byteSize());
    public static final long HDR_PKTTYPE = HDR_SLL + off(SOCKADDR_LL, "sll_pkttype");
    /** TPACKET3_HDRLEN: the header the kernel reserves in each frame. */
    public static final long TPACKET3_HDRLEN = HDR_SLL + SOCKADDR_LL.byteSize();
    /** Where the frame goes in a TX slot (kernel: {@code tp_hdrlen - sizeof(struct sockaddr_ll)}). */
    public static final int TX_DATA_OFFSET = (int) (TPACKET3_HDRLEN - SOCKADDR_LL.byteSize());

    // tpacket_block_desc
    public static final long BLOCK_STATUS = off(BLOCK_DESC, "block_status");
    public static final long BLOCK_NUM_PKTS = off(BLOCK_DESC, "num_pkts");
    public static final long BLOCK_FIRST_PKT = off(BLOCK_DESC, "offset_to_first_pkt");
    public static final long BLOCK_SEQ = off(BLOCK_DESC, "seq_num");

    private Tpacket() { }

    static long off(StructLayout s, String field) {
        return s.byteOffset(groupElement(field));
    }

    public static long align(long x) {
        return (x + TPACKET_ALIGNMENT - 1) & ~(TPACKET_ALIGNMENT - 1L);
    }
}
