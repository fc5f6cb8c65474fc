package org.flowgate.packet.device;

import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;

/**
 * A device's receiver that also takes frames another device hands over ({@code NetDevice.receive},
 * tc's {@code mirred ingress}): those keep the packet type decided on the first device
 * ({@link Packet#pktType()}), where a frame from the port is classified anew.
 */
public interface RedirectReceiver extends PortReceiver {
    void receiveRedirected(Packet p);
}
