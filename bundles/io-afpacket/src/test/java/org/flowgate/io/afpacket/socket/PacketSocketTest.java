package org.flowgate.io.afpacket.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.flowgate.io.afpacket.ring.RingGeometry;
import org.junit.jupiter.api.Test;

/** Failures that must give a clear message before any socket exists; no root needed. */
class PacketSocketTest {
    static final PacketSocket.Options OPTIONS = new PacketSocket.Options(
            new RingGeometry(1 << 16, 4, 2048), new RingGeometry(1 << 16, 2, 2048), 1, false, true);

    @Test
    void loopbackHasIndexOneInEveryNamespace() throws IOException {
        assertEquals(1, PacketSocket.ifIndex("lo"));
    }

    @Test
    void aMissingInterfaceIsNamed() {
        IOException e = assertThrows(IOException.class, () -> PacketSocket.open("fgafmissing0", OPTIONS));
        assertTrue(e.getMessage().contains("No network interface 'fgafmissing0'"), e.getMessage());
    }

    @Test
    void badNamesAreRejected() {
        for (String bad : new String[] {"", "a/b", "has space", "sixteen-chars-xx"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PacketSocket.open(bad, OPTIONS), bad);
            assertTrue(e.getMessage().contains("not a Linux interface name"), e.getMessage());
        }
    }

    @Test
    void badGeometryIsRejectedBeforeTheKernelSeesIt() {
        PacketSocket.Options bad = new PacketSocket.Options(new RingGeometry(1000, 4, 2048), OPTIONS.tx(), 1, false, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PacketSocket.open("lo", bad));
        assertTrue(e.getMessage().contains("page size"), e.getMessage());
    }

    @Test
    void loopbackIsNotEthernet() {
        org.junit.jupiter.api.Assumptions.assumeTrue(isRoot(), "skipped: needs root for an AF_PACKET socket");
        IOException e = assertThrows(IOException.class, () -> PacketSocket.open("lo", OPTIONS));
        assertTrue(e.getMessage().contains("not an Ethernet interface"), e.getMessage());
    }

    static boolean isRoot() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
