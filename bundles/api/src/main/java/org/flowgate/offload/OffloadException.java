package org.flowgate.offload;

/** A driver refused a flow (or a table): it stays in software; {@link #reason()} tells why, for counters. */
public class OffloadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a driver refused. */
    public enum Reason {
        /** The hardware table is full ({@code -ENOSPC}). */
        CAPACITY,
        /** A match or action the hardware cannot do ({@code -EOPNOTSUPP}). */
        UNSUPPORTED,
        /** One of the devices is not (or no longer) the driver's. */
        DEVICE,
        /** Anything else (firmware error, timeout). */
        FAILED;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Reason reason;

    public OffloadException(String message) { this(Reason.FAILED, message); }

    public OffloadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
