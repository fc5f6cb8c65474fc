package org.flowgate.io.afpacket;

/**
 * Counters of one AF_PACKET port.
 *
 * @param rxFrames frames handed to the receiver
 * @param rxBytes their bytes (with re-inserted VLAN tags)
 * @param rxBlocks ring blocks drained (= batches)
 * @param rxOutgoingSkipped our own or the host's outgoing frames seen and skipped
 * @param rxDropped frames skipped as truncated, too big for the packet buffer or in a malformed block
 * @param receiverErrors exceptions thrown by the receiver
 * @param rxChecksumsCompleted frames received with the L4 checksum left to the device, completed in software
 * @param kernelPackets frames the kernel saw for this socket (PACKET_STATISTICS)
 * @param kernelDrops frames the kernel dropped because the ring was full
 * @param txFrames frames queued into the TX ring
 * @param txBytes their bytes
 * @param txRingFull sends refused because the ring was full
 * @param txDropped sends refused as too big or too small for the link, rejected by the kernel, or link down
 * @param txKickFailures failed {@code sendto} kicks
 */
public record PortStatistics(long rxFrames, long rxBytes, long rxBlocks, long rxOutgoingSkipped, long rxDropped,
        long receiverErrors, long rxChecksumsCompleted, long kernelPackets, long kernelDrops, long txFrames, long txBytes, long txRingFull,
        long txDropped, long txKickFailures) { }
