package org.flowgate.driver.ebpf;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;

/**
 * A router process in miniature for {@link NetnsExecTest}: runs under {@code ip netns exec} (private
 * /sys without bpffs, as a deployed router), starts the driver on two ports and offloads one UDP flow.
 * Protocol on stdout/stdin: prints {@code READY <pin dir>}, waits for a line, prints
 * {@code STATS <packets> <bytes>}, stops the driver, prints {@code STOPPED}.
 * <p>args: inDev outDev src sport dst dport natSrc natSport srcMac(hex) dstMac(hex)
 */
public final class DriverMain {
    private DriverMain() { }

    public static void main(String[] a) throws Exception {
        EbpfOffloadDriver driver = new EbpfOffloadDriver();
        driver.start(List.of(a[0], a[1]), 16, KernelDatapath.Options.defaults());
        try {
            FlowBlock block = driver.bind(new FlowTableSpec("ip", "t", "ft", 0, Set.of(a[0], a[1]), true, false));
            FiveTuple match = FiveTuple.of(IpAddress.parse(a[2]), Integer.parseInt(a[3]), IpAddress.parse(a[4]), Integer.parseInt(a[5]), 17);
            FiveTuple rewrite = FiveTuple.of(IpAddress.parse(a[6]), Integer.parseInt(a[7]), IpAddress.parse(a[4]), Integer.parseInt(a[5]), 17);
            FlowRule rule = new FlowRule(1, 1, 0, a[0], -1, match, 0, 0, 0, 0, true, rewrite,
                    Long.parseLong(a[8], 16), Long.parseLong(a[9], 16), true, a[1], -1, 1500);
            block.add(rule);
            System.out.println("READY " + driver.datapath().pinDir());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            FlowStats s = block.stats(rule);
            System.out.println("STATS " + s.packets() + " " + s.bytes());
        } finally {
            driver.stop();
            System.out.println("STOPPED");
            System.out.flush();
        }
    }
}
