package org.flowgate.io.afpacket.linux;

import java.io.IOException;

import org.flowgate.linux.libc.LibC;

/** A failed libc call: what was attempted, and errno with its text. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(String what, int errno) {
        super(LibC.describe(what, errno) + hint(errno));
        this.errno = errno;
    }

    public int errno() { return errno; }

    private static String hint(int errno) {
        return errno == LibC.EPERM || errno == LibC.EACCES
                ? " - AF_PACKET sockets need CAP_NET_RAW: run the router as root (or grant the capability)"
                : "";
    }
}
