package org.flowgate.api.netdev;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional interface of a {@link Port} that receives through a Linux socket bound to one
 * interface (an AF_PACKET port): it lets a kernel offload driver put an eBPF socket filter on that
 * socket. Linux delivers frames to packet sockets before tc ingress, so without such a filter the
 * port would receive, and the router forward a second time, every frame the kernel already
 * forwarded for the driver. Drivers look for it on the {@code Port} services they track
 * ({@code instanceof}); ports without it are left alone.
 *
 * @since 1.4
 */
@ConsumerType
public interface KernelSocketPort {
    /** The kernel's ifindex of the interface the socket is bound to (not the router's device index). */
    int kernelIfIndex();

    /**
     * Attaches the eBPF program {@code programFd} ({@code BPF_PROG_TYPE_SOCKET_FILTER}) to the
     * port's socket ({@code SO_ATTACH_BPF}), replacing any filter it had. The socket keeps its own
     * reference to the program: the caller may close its descriptor afterwards.
     *
     * @throws IOException when the port is closed or the kernel refuses the program
     */
    void attachSocketFilter(int programFd) throws IOException;

    /** Removes the socket's filter ({@code SO_DETACH_BPF}); nothing when it has none or the port is closed. */
    void detachSocketFilter();
}
