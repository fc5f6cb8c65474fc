package org.flowgate.offload.manager.command;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.offload.manager.core.OffloadComponent;
import org.flowgate.offload.manager.core.OffloadManager;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo scope {@code offload}: drivers, the work queue, counters and offloaded flows. Formats only. */
@Component(service = OffloadCommands.class, property = {
        "osgi.command.scope=offload",
        "osgi.command.function=drivers", "osgi.command.function=queue", "osgi.command.function=stats",
        "osgi.command.function=flows" })
public final class OffloadCommands {
    private final OffloadManager manager;

    @org.osgi.service.component.annotations.Activate
    public OffloadCommands(@Reference OffloadComponent component) { this(component.manager()); }

    /** Without a framework (tests). */
    public OffloadCommands(OffloadManager manager) { this.manager = manager; }

    @Descriptor("offload drivers: devices, bound flow tables, flows in hardware")
    public String drivers() {
        StringBuilder sb = new StringBuilder();
        for (OffloadManager.DriverInfo d : manager.drivers()) {
            sb.append(d.name()).append(": devices ").append(new java.util.TreeSet<>(d.devices())).append(" tables ").append(d.tables())
                    .append(" flows ").append(d.flowsInHardware()).append('\n');
        }
        return sb.isEmpty() ? "no offload driver\n" : sb.toString();
    }

    @Descriptor("the work queue: threads, capacity, requests admitted, queued per worker")
    public String queue() {
        OffloadManager.QueueInfo q = manager.queue();
        return "threads=" + q.threads() + " capacity=" + q.capacity() + " admitted=" + q.admitted() + " queued=" + q.perWorker() + "\n";
    }

    @Descriptor("offload counters: added, deleted, refusals by reason, driver errors, slow calls, queue full, stats pulls")
    public String stats() {
        StringBuilder sb = new StringBuilder();
        manager.counters().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    @Descriptor("flows the manager holds: table, flow id (as flow:list), driver, hardware state and counters")
    public String flows() {
        StringBuilder sb = new StringBuilder();
        for (OffloadManager.FlowInfo f : manager.flows()) {
            sb.append(f.table()).append(" #").append(f.flowId()).append(" driver ").append(f.driver()).append(" hw ")
                    .append(f.state().label()).append(" hw-packets=").append(f.hwPackets()).append(" hw-bytes=").append(f.hwBytes()).append('\n');
        }
        return sb.toString();
    }
}
