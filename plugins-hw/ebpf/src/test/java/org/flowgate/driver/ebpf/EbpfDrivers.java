package org.flowgate.driver.ebpf;

import java.io.IOException;
import java.util.List;

import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.OffloadDriver;

/** Starts and stops the driver without a framework, for tests in other packages (on the calling thread's namespace). */
public final class EbpfDrivers {
    private EbpfDrivers() { }

    public static OffloadDriver start(List<String> devices, int maxFlows) throws IOException {
        EbpfOffloadDriver d = new EbpfOffloadDriver();
        d.start(devices, maxFlows, KernelDatapath.Options.defaults());
        return d;
    }

    public static void stop(OffloadDriver d) {
        ((EbpfOffloadDriver) d).stop();
    }
}
