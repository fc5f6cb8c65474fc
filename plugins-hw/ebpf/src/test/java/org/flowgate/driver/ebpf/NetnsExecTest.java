package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.net.IpAddress;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver as deployed: a router JVM started with {@code ip netns exec}, which gives it a private
 * /sys without bpffs. The driver must mount bpffs there, load, forward, and clean up; none of it
 * may leak into the test's own mount namespace.
 */
class NetnsExecTest {
    private static final String P = "fgbpe";
    private static final String R = P + "r";
    private static Topology topo;

    @BeforeAll
    static void world() {
        Lab.assumeKernel();
        topo = Lab.up(P);
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=0");
    }

    @AfterAll
    static void teardown() {
        if (topo != null) topo.close();
    }

    @Test
    void routerUnderIpNetnsExecMountsBpffsOffloadsAndCleansUp() throws Throwable {
        long h1Mac = Topology.mac(P + "h1", P + "a"), h2Mac = Topology.mac(P + "h2", P + "b");
        long raMac = Topology.mac(R, P + "ra"), rbMac = Topology.mac(R, P + "rb");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", R, java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DriverMain.class.getName(),
                P + "ra", P + "rb", "10.0.1.2", "5555", "10.0.2.2", "9", "10.0.2.1", "40000",
                Long.toHexString(rbMac), Long.toHexString(h2Mac)));
        Process router = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (RawSocket h1 = Shell.inNamespace(P + "h1", () -> RawSocket.open(P + "a"));
                RawSocket h2 = Shell.inNamespace(P + "h2", () -> RawSocket.open(P + "b"));
                BufferedReader out = new BufferedReader(new InputStreamReader(router.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = router.getOutputStream()) {
            String ready = out.readLine();
            assertNotNull(ready, "router exited early");
            assertTrue(ready.startsWith("READY "), ready);
            String pinDir = ready.substring(6);
            assertFalse(new java.io.File(pinDir).exists(), "pins live in the router's own mount namespace, not ours");

            byte[] frame = Frames.udp(raMac, h1Mac, IpAddress.parse("10.0.1.2"), 5555, IpAddress.parse("10.0.2.2"), 9, 64, new byte[18]);
            for (int i = 0; i < 3; i++) h1.send(frame);
            long arrived = h2.drain(500).stream()
                    .filter(f -> Frames.isIp(f) && Frames.proto(f) == 17 && Frames.dport(f) == 9)
                    .filter(f -> Frames.src(f).equals(IpAddress.parse("10.0.2.1")) && Frames.l4ChecksumOk(f)).count();
            assertEquals(3, arrived);

            in.write('\n');
            in.flush();
            assertEquals("STATS 3 " + 3 * frame.length, out.readLine());
            assertEquals("STOPPED", out.readLine());
            assertTrue(router.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, router.exitValue());
        } finally {
            router.destroyForcibly();
        }
        assertEquals("", Shell.read("ip", "netns", "exec", R, "tc", "filter", "show", "dev", P + "ra", "ingress").trim());
    }
}
