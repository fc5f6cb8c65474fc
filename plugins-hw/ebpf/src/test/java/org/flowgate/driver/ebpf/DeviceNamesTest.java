package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class DeviceNamesTest {
    @Test
    void typedArrayAndCommaSeparatedCfgValue() {
        assertEquals(List.of("eth0", "eth1"), EbpfOffloadDriver.deviceNames(new String[] {"eth0", "eth1"}));
        assertEquals(List.of("eth0", "eth1", "veth2"), EbpfOffloadDriver.deviceNames(new String[] {"eth0, eth1,veth2 ", "eth1"}));
        assertEquals(List.of(), EbpfOffloadDriver.deviceNames(new String[] {" "}));
    }
}
