package org.flowgate.packet.neigh;

/**
 * Neighbour table tunables, Linux defaults: 3 probes 1 s apart (mcast_solicit/retrans_time),
 * reachable 30 s, 5 s before re-probing a stale entry in use (delay_first_probe_time).
 */
public record NeighbourSettings(int probes, long retransMillis, long reachableMillis, long delayProbeMillis,
        long gcStaleMillis, long gcFailedMillis, int queuePerNeighbour, int queueTotal, int maxEntries) {

    public static NeighbourSettings defaults() {
        return new NeighbourSettings(3, 1000, 30_000, 5000, 60_000, 3000, 16, 256, 4096);
    }

    public NeighbourSettings {
        if (probes < 1 || retransMillis < 1 || queuePerNeighbour < 1 || queueTotal < 1 || maxEntries < 1)
            throw new IllegalArgumentException("neighbour settings must be positive");
    }
}
