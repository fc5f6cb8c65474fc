package org.flowgate.tc.action;

import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;

/**
 * {@code mirred egress|ingress redirect|mirror dev X}, as Linux's act_mirred. Egress sends the
 * frame as it is out of device X; ingress has X receive it as if it arrived on X's wire (its
 * ingress, tc included, runs now on this thread). A redirect ends classification
 * ({@code stolen}); a mirror sends a copy and goes on ({@code pipe}). Nested mirred actions (a
 * redirect into a device whose filters redirect again) are counted per thread and the packet is
 * dropped beyond {@value ExecContext#MIRRED_NEST_LIMIT}, as {@code MIRRED_NEST_LIMIT}.
 * The device is looked up by name once and then by index (allocation-free), again when it went away.
 */
public final class Mirred extends Action {
    private final Devices devices;
    private final String device;
    private final boolean redirect, ingress;
    private volatile int ifIndex;

    public Mirred(Devices devices, int control, boolean redirect, String device) { this(devices, control, false, redirect, device); }

    public Mirred(Devices devices, int control, boolean ingress, boolean redirect, String device) {
        super(control);
        this.devices = devices;
        this.ingress = ingress;
        this.redirect = redirect;
        this.device = device;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        int level = ctx.enterMirred();
        try {
            if (level > ExecContext.MIRRED_NEST_LIMIT) return ctx.drop(Drops.MIRRED_NEST);
            NetDevice d = devices.byIndex(ifIndex);
            if (d == null || !d.name().equals(device)) {
                d = devices.byName(device); // the device was replaced or not seen yet: rare
                if (d == null) return redirect ? ctx.drop(Drops.NO_DEVICE) : control;
                ifIndex = d.ifIndex();
            }
            if (!ingress) {
                if (!d.transmit(p) && redirect) return ctx.drop(Drops.TX_FAILED);
                return control;
            }
            // the packet itself only when nothing after this action can see it again (tcf_mirred_can_reinsert)
            Packet q = redirect && (control == Act.STOLEN || control == Act.SHOT) ? p : ctx.copy(level, p);
            if (q == null) return redirect ? ctx.drop(Drops.TX_FAILED) : control;
            ctx.save(level);
            boolean delivered;
            try {
                delivered = d.receive(q);
            } finally {
                ctx.restore(level);
            }
            if (!delivered && redirect) return ctx.drop(Drops.NO_DEVICE);
            return control;
        } finally {
            ctx.leaveMirred();
        }
    }

    public String device() { return device; }

    public boolean ingress() { return ingress; }

    @Override
    public String describe() {
        return "mirred (" + (ingress ? "Ingress " : "Egress ") + (redirect ? "Redirect" : "Mirror") + " to device " + device + ")";
    }
}
