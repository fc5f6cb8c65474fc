package org.flowgate.flowtable.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void aGcPassIsSpreadOverThePassTimeWithinTheBudget() {
        Settings s = new Settings(30, 10, 16384, 4096, 1000); // 100 steps a pass
        assertEquals(64, s.stepBudget(1024), "small tables: a floor of 64 slots a step");
        assertEquals(15_000, s.stepBudget(1_500_000), "1.5M slots in 100 steps");
        assertEquals(16384, s.stepBudget(10_000_000), "never more than the budget a step");
        assertEquals(1000, new Settings(30, 100, 16384, 4096, 1000).stepBudget(10_000), "10 steps a pass at 100 ms");
        assertEquals(16, new Settings(30, 10, 16, 4096, 1000).stepBudget(1 << 20), "a budget below the floor wins");
    }

    @Test
    void theOldConstructorKeepsTheOneSecondPass() {
        assertEquals(1000, new Settings(30, 10, 16384, 4096).gcPassMillis());
        assertEquals(Settings.DEFAULTS.gcPassMillis(), 1000);
        assertThrows(IllegalArgumentException.class, () -> new Settings(30, 10, 16384, 4096, 0));
    }
}
