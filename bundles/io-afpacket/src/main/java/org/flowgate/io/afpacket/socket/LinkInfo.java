package org.flowgate.io.afpacket.socket;

/** What the kernel says about an interface: index, MAC (48 bits in a long), MTU, flags, ARPHRD type. */
public record LinkInfo(int ifindex, long mac, int mtu, boolean up, boolean running, int hwType) {
    /** Administratively up and with carrier, as {@code ip link} shows {@code UP,LOWER_UP}. */
    public boolean linkUp() { return up && running; }
}
