package org.flowgate.shell.jmx;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.flowgate.shell.stats.StatGroup;
import org.flowgate.shell.stats.StatsCollector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one MBean per {@link StatGroup} with the platform MBeanServer, named
 * {@code org.flowgate:type=interface,instance=default,name=eth0}; follows groups that come and go
 * every {@code refresh_seconds}, and unregisters them all on deactivation.
 */
@Component(immediate = true, configurationPid = StatsMBeans.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = StatsMBeans.class)
@Designate(ocd = JmxConfig.class)
public class StatsMBeans {
    public static final String PID = "org.flowgate.jmx";
    public static final String DOMAIN = "org.flowgate";
    private static final Logger LOG = LoggerFactory.getLogger(StatsMBeans.class);

    private final StatsCollector collector;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Map<ObjectName, GroupMBean> registered = new HashMap<>();
    private ScheduledExecutorService timer;

    @Activate
    public StatsMBeans(@Reference StatsCollector collector, JmxConfig config) {
        this.collector = collector;
        if (!config.enabled()) return;
        sync();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowgate-jmx");
            t.setDaemon(true);
            return t;
        });
        int s = Math.max(1, config.refresh_seconds());
        timer.scheduleWithFixedDelay(this::syncQuietly, s, s, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        if (timer != null) timer.shutdownNow();
        synchronized (this) {
            for (ObjectName n : registered.keySet()) unregister(n);
            registered.clear();
        }
    }

    /** Makes the registered MBeans match the current groups; returns their names. */
    public synchronized Set<ObjectName> sync() {
        Set<ObjectName> seen = new HashSet<>();
        for (StatGroup g : collector.collect()) {
            ObjectName n = name(g);
            seen.add(n);
            GroupMBean old = registered.get(n);
            if (old != null && old.keys().equals(GroupMBean.keys(g))) continue;
            if (old != null) unregister(n);
            GroupMBean bean = new GroupMBean(collector, g);
            try {
                if (server.isRegistered(n)) server.unregisterMBean(n); // left over by an earlier activation
                server.registerMBean(bean, n);
                registered.put(n, bean);
            } catch (JMException e) {
                LOG.warn("cannot register MBean {}", n, e);
            }
        }
        for (ObjectName n : Set.copyOf(registered.keySet())) {
            if (!seen.contains(n)) { unregister(n); registered.remove(n); }
        }
        return Set.copyOf(registered.keySet());
    }

    private void syncQuietly() {
        try { sync(); } catch (RuntimeException e) { LOG.warn("JMX refresh failed", e); }
    }

    private void unregister(ObjectName n) {
        try { server.unregisterMBean(n); } catch (JMException | RuntimeException gone) { /* already unregistered */ }
    }

    public static ObjectName name(StatGroup g) {
        try {
            return new ObjectName(DOMAIN + ":type=" + value(g.type()) + ",instance=" + value(g.instance()) + ",name=" + value(g.name()));
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String value(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (",=:\"*?\n".indexOf(s.charAt(i)) >= 0) return ObjectName.quote(s);
        }
        return s;
    }
}
