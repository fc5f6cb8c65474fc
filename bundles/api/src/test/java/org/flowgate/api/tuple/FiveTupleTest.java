package org.flowgate.api.tuple;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;

import org.flowgate.api.net.IpAddress;
import org.junit.jupiter.api.Test;

class FiveTupleTest {
    @Test
    void reverseSwapsEnds() {
        FiveTuple t = FiveTuple.of(IpAddress.parse("10.0.1.2"), 1234, IpAddress.parse("10.0.2.2"), 80, 6);
        FiveTuple r = new FiveTuple().setReverse(t);
        assertEquals(IpAddress.parse("10.0.2.2"), r.src());
        assertEquals(80, r.srcPort);
        assertEquals(1234, r.dstPort);
        assertEquals(t, new FiveTuple().setReverse(r));
        assertNotEquals(t, r);
    }

    @Test
    void equalTuplesHashEqualAndDistinctOnesSpread() {
        Set<Integer> hashes = new HashSet<>();
        for (int port = 1024; port < 1024 + 4096; port++) {
            FiveTuple a = FiveTuple.of(IpAddress.parse("fd00:1::2"), port, IpAddress.parse("fd00:2::2"), 9, 17);
            FiveTuple b = new FiveTuple(a);
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
            hashes.add(a.hashCode() & 0xFFFF);
        }
        assertTrue(hashes.size() > 3500, "low 16 bits of the hash must spread: " + hashes.size());
    }
}
