package org.flowgate.api.conntrack;

import org.flowgate.api.net.IpAddress;

/**
 * A NAT target as nft's {@code snat to}, {@code dnat to} and {@code masquerade} give it.
 * Addresses are null for masquerade (the egress device's address is used) and for a port-only
 * rewrite; ports 0 mean "keep the port if free".
 */
public record NatRange(Kind kind, IpAddress minAddress, IpAddress maxAddress, int minPort, int maxPort, boolean random) {
    public enum Kind { SNAT, DNAT, MASQUERADE }

    public NatRange {
        if ((minAddress == null) != (maxAddress == null)) throw new IllegalArgumentException("address range needs both ends");
        if (minAddress != null && (minAddress.family() != maxAddress.family() || minAddress.compareTo(maxAddress) > 0))
            throw new IllegalArgumentException("bad address range " + minAddress + "-" + maxAddress);
        if (minPort < 0 || maxPort > 65535 || minPort > maxPort) throw new IllegalArgumentException("bad port range " + minPort + "-" + maxPort);
        if (kind == Kind.DNAT && minAddress == null && minPort == 0) throw new IllegalArgumentException("dnat needs an address or a port");
    }
}
