package org.flowgate.linux.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

class LibCTest {
    @Test
    void loopbackHasAnIndexAndAMissingLinkHasNone() {
        assertTrue(LibC.ifIndex("lo") > 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            assertEquals(0, LibC.ifNameToIndex(cs, a.allocateFrom("flowgate-none0")));
            assertEquals(LibC.ENODEV, LibC.errno(cs));
        }
    }

    @Test
    void closingABadDescriptorCapturesEbadf() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            assertEquals(-1, LibC.close(cs, -1));
            assertEquals(LibC.EBADF, LibC.errno(cs));
            assertEquals("close: Bad file descriptor (errno 9)", LibC.describe("close", LibC.errno(cs)));
        }
    }

    @Test
    void aSocketOptionRoundTrips() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            int fd = LibC.socket(cs, 1 /* AF_UNIX */, 2 /* SOCK_DGRAM */ | LibC.SOCK_CLOEXEC, 0);
            assertTrue(fd >= 0, () -> LibC.describe("socket", LibC.errno(cs)));
            try {
                MemorySegment v = a.allocate(4, 4), len = a.allocate(4, 4);
                len.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 4);
                assertEquals(0, LibC.getsockopt(cs, fd, LibC.SOL_SOCKET, LibC.SO_ERROR, v, len));
                assertEquals(0, v.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
            } finally {
                assertEquals(0, LibC.close(cs, fd));
            }
        }
    }

    @Test
    void anUnknownSymbolIsALinkError() {
        assertThrows(UnsatisfiedLinkError.class, () -> LibC.symbol("flowgate_no_such_function"));
    }
}
