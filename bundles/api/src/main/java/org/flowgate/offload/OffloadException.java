package org.flowgate.offload;

/** A driver refused a flow; it stays in software. */
public class OffloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public OffloadException(String message) { super(message); }
}
