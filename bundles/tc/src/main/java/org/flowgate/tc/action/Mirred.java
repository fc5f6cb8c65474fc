package org.flowgate.tc.action;

import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;

/**
 * {@code mirred egress redirect|mirror dev X}: sends the frame as it is out of device X. A
 * redirect ends classification ({@code stolen}); a mirror sends a copy and goes on ({@code pipe}).
 * The device is looked up by name once and then by index (allocation-free), again when it went away.
 */
public final class Mirred extends Action {
    private final Devices devices;
    private final String device;
    private final boolean redirect;
    private volatile int ifIndex;

    public Mirred(Devices devices, int control, boolean redirect, String device) {
        super(control);
        this.devices = devices;
        this.redirect = redirect;
        this.device = device;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        NetDevice d = devices.byIndex(ifIndex);
        if (d == null || !d.name().equals(device)) {
            d = devices.byName(device); // the device was replaced or not seen yet: rare
            if (d == null) return redirect ? ctx.drop(Drops.NO_DEVICE) : control;
            ifIndex = d.ifIndex();
        }
        if (!d.transmit(p) && redirect) return ctx.drop(Drops.TX_FAILED);
        return control;
    }

    public String device() { return device; }

    @Override
    public String describe() { return "mirred (Egress " + (redirect ? "Redirect" : "Mirror") + " to device " + device + ")"; }
}
