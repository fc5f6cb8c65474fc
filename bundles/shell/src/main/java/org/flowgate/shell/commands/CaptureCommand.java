package org.flowgate.shell.commands;

import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.shell.capture.Capture;
import org.flowgate.shell.capture.CaptureService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code router:capture [-i <instance>]}: writes what a port sends and receives to a pcap file, as {@code tcpdump -w}. */
@Component(service = CaptureCommand.class, property = {"osgi.command.scope=router", "osgi.command.function=capture"})
public class CaptureCommand {
    private static final String INST = "routing instance of the interface (default: default)";
    private final CaptureService captures;
    private final Instances instances;

    @Activate
    public CaptureCommand(@Reference CaptureService captures, @Reference Instances instances) {
        this.captures = captures;
        this.instances = instances;
    }

    @Descriptor("list the running captures (of every instance)")
    public String capture() {
        List<Capture> l = captures.list();
        if (l.isEmpty()) return "no capture running\n";
        StringBuilder sb = new StringBuilder();
        for (Capture c : l) sb.append(c).append('\n');
        return sb.toString();
    }

    @Descriptor("capture <iface> <file>: write every frame the interface receives and sends to a pcap file until 'capture stop'; capture stop <file|iface>: end it")
    public String capture(@Descriptor(INST) @Parameter(names = {RouterCommands.OPT_I, RouterCommands.OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("interface, or 'stop'") String iface, @Descriptor("pcap file (replaced), or what to stop") String file) throws Exception {
        if (iface.equals("stop")) {
            List<Capture> stopped = captures.stop(instance, file);
            if (stopped.isEmpty()) throw new IllegalArgumentException("capture: no capture of or to \"" + file + "\"");
            StringBuilder sb = new StringBuilder();
            for (Capture c : stopped) sb.append(c).append('\n');
            return sb.toString();
        }
        return capture(instance, iface, file, 0);
    }

    @Descriptor("capture <iface> <file> <count>: write the next <count> frames the interface receives and sends to a pcap file, in the background")
    public String capture(@Descriptor(INST) @Parameter(names = {RouterCommands.OPT_I, RouterCommands.OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("interface") String iface, @Descriptor("pcap file (replaced)") String file,
            @Descriptor("frames to capture, 0 until 'capture stop'") long count) throws Exception {
        if (count < 0) throw new IllegalArgumentException("capture: count must be 0 or more");
        // the default instance's devices may be missing (no packet path yet): capture what arrives; another instance must exist
        NetDevices devices = instance.equals(Instances.DEFAULT) ? instances.devicesOrNull(instance) : instances.devices(instance, "capture");
        if (devices != null && devices.byName(iface).isEmpty()) {
            throw new IllegalArgumentException("capture: cannot find device \"" + iface + "\"" + (instance.equals(Instances.DEFAULT) ? "" : " in instance " + instance));
        }
        Capture c = captures.start(instance, iface, Path.of(file), count);
        String stop = "router:capture " + (instance.equals(Instances.DEFAULT) ? "" : "-i " + instance + " ") + "stop " + iface;
        return "capturing " + (c.txCaptured() ? "received and sent" : "received (this packet path calls no frame taps, sent frames are missing)")
                + " frames of " + iface + (instance.equals(Instances.DEFAULT) ? "" : " in instance " + instance) + " to " + c.file()
                + (count > 0 ? ", " + count + " frames" : ", until '" + stop + "'") + "\n";
    }
}
