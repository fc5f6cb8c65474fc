package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.support.FakeFlow;
import org.flowgate.offload.manager.support.FakeTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.AfterEach;

/**
 * The small world the manager tests share: a manual clock, one nft flow table with offload, the manager
 * over it (built by each test with its settings) and the steps tests repeat.
 */
abstract class ManagerFixture {
    /** Queue 64, 1 worker, batches of 4, stats every 1 s, retry after 5 s, slow calls over 10 s. */
    static final Settings TEST_SETTINGS = new Settings(64, 1, 4, 1000, 5000, 10_000);

    final AtomicLong clock = new AtomicLong(1000);
    final FakeTable table = new FakeTable(true);
    OffloadManager m;

    OffloadManager manager(Settings s) {
        m = new OffloadManager(s, clock::get);
        m.setTableSource(() -> List.<FlowTable>of(table));
        return m;
    }

    OffloadManager manager() { return manager(TEST_SETTINGS); }

    @AfterEach
    void stopManager() throws InterruptedException {
        if (m != null) m.stop();
    }

    /** A driver "nic" for ports v0 and v1, added to the manager. */
    ScriptedDriver nic() {
        ScriptedDriver d = new ScriptedDriver("nic", "v0", "v1");
        m.addDriver(d);
        return d;
    }

    /** A flow of the nft table, announced to the manager. */
    FakeFlow added(long id) {
        FakeFlow f = table.add(id, 10000 + (int) id);
        m.flowAdded(table, f);
        return f;
    }

    /** The manager's periodic work (stats pull, retries, resync), with the queue it fills drained. */
    void tickAndDrain() {
        m.tick();
        m.drain();
    }

    /** {@link #tickAndDrain()} after {@code millis} on the clock. */
    void tickAfter(long millis) {
        clock.addAndGet(millis);
        tickAndDrain();
    }

    /** The manager's state and the driver's calls, for failure messages. */
    String diag(ScriptedDriver d) {
        OffloadCommands commands = new OffloadCommands(m);
        return commands.stats() + commands.flows() + d.log;
    }

    long driverCounter(String driver, String label) { return m.driverCounters().get(driver).get(label); }

    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!m.idle() && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(m.idle(), "the workers finished");
    }
}
