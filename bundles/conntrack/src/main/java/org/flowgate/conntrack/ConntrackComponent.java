package org.flowgate.conntrack;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.ConntrackListener;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.core.GcWorker;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conntrack service of a routing instance (the default one; more from factory configurations
 * of {@value InstanceConntrackComponent#FACTORY_PID}): the {@link ConnTracker}, its packet
 * hooks, garbage collector and event delivery, configured from {@value #PID}. Immediate: the
 * packet hooks must be in place before anybody asks for the tracker.
 */
@Component(name = ConntrackComponent.PID, configurationPid = ConntrackComponent.PID, service = ConnTracker.class, immediate = true,
        property = RoutingInstance.DEFAULT_SERVICE_PROPERTY)
@Designate(ocd = ConntrackConfig.class)
public class ConntrackComponent implements ConnTracker {
    public static final String PID = "org.flowgate.conntrack";
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackComponent.class);

    private final List<ConntrackListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Conntrack ct;
    private GcWorker gc;
    private List<ServiceRegistration<PacketHook>> hooks = List.of();
    private int buckets;
    private String instance = RoutingInstance.DEFAULT;

    @Activate
    void activate(BundleContext ctx, ConntrackConfig cfg, Map<String, Object> props) {
        instance = RoutingInstance.of(props);
        buckets = cfg.buckets();
        Conntrack c = new Conntrack(cfg.buckets(), cfg.max(), timeouts(cfg), cfg.event__queue__size(), CtClock.SYSTEM);
        c.setVerifyChecksums(cfg.checksum());
        synchronized (listeners) {
            for (ConntrackListener l : listeners) c.addListener(l);
            ct = c;
        }
        c.start();
        gc = new GcWorker(c, cfg.gc__interval__ms(), cfg.gc__full__scan__ms()).start();
        hooks = ConntrackHooks.register(ctx, c, instance);
        LOG.info("conntrack of instance {} started: max {} entries, {} buckets", instance, cfg.max(), c.table().bucketCount());
    }

    @Modified
    void modified(ConntrackConfig cfg) {
        Conntrack c = ct;
        c.setTimeouts(timeouts(cfg));
        c.setMax(cfg.max());
        c.setVerifyChecksums(cfg.checksum());
        gc.configure(cfg.gc__interval__ms(), cfg.gc__full__scan__ms());
        if (cfg.buckets() != buckets) LOG.warn("conntrack buckets change to {} takes effect on restart", cfg.buckets());
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<PacketHook> r : hooks) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // bundle stopping: the framework unregistered it
            }
        }
        hooks = List.of();
        gc.close();
        ct.close();
    }

    static Timeouts timeouts(ConntrackConfig c) {
        return new Timeouts(c.tcp__timeout__syn__sent(), c.tcp__timeout__syn__recv(), c.tcp__timeout__established(),
                c.tcp__timeout__fin__wait(), c.tcp__timeout__close__wait(), c.tcp__timeout__last__ack(),
                c.tcp__timeout__time__wait(), c.tcp__timeout__close(), c.tcp__timeout__max__retrans(),
                c.tcp__timeout__unacknowledged(), c.udp__timeout(), c.udp__timeout__stream(), c.icmp__timeout(),
                c.icmpv6__timeout(), c.generic__timeout(), c.tcp__offload__timeout(), c.udp__offload__timeout(),
                c.tcp__loose(), c.tcp__be__liberal());
    }

    /** Listeners of the default instance; a factory configuration sets {@code Listener.target}. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void bindListener(ConntrackListener l) {
        synchronized (listeners) {
            listeners.add(l);
            Conntrack c = ct;
            if (c != null) c.addListener(l);
        }
    }

    void unbindListener(ConntrackListener l) {
        synchronized (listeners) {
            listeners.remove(l);
            Conntrack c = ct;
            if (c != null) c.removeListener(l);
        }
    }

    // ---- ConnTracker, delegated ----

    @Override public ConnEntry find(int zone, FiveTuple t) { return ct.find(zone, t); }
    @Override public List<ConnEntry> list() { return ct.list(); }
    @Override public int count() { return ct.count(); }
    @Override public int flush() { return ct.flush(); }
    @Override public boolean delete(ConnEntry e) { return ct.delete(e); }
    @Override public boolean bindNat(Packet p, NatRange range) { return ct.bindNat(p, range); }
    @Override public boolean track(Packet p) { return ct.track(p); }
    @Override public void nat(Packet p) { ct.nat(p); }
    @Override public boolean confirm(Packet p) { return ct.confirm(p); }
    @Override public boolean offload(ConnEntry e) { return ct.offload(e); }
    @Override public void keepAlive(ConnEntry e) { ct.keepAlive(e); }
    @Override public void teardown(ConnEntry e) { ct.teardown(e); }
    @Override public Map<String, Long> stats() { return ct.stats(); }
}
