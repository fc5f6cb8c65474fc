package org.flowgate.driver.ebpf.bpf;

import java.io.IOException;

import org.flowgate.linux.libc.LibC;

/** A failed bpf(2) or socket call: what was attempted, and errno with its text. */
public final class BpfException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public BpfException(String what, int errno) {
        super(LibC.describe(what, errno) + hint(errno));
        this.errno = errno;
    }

    public int errno() { return errno; }

    private static String hint(int errno) {
        return errno == LibC.EPERM ? " - BPF needs CAP_BPF and CAP_NET_ADMIN: run the router as root" : "";
    }
}
