package org.flowgate.shell.jmx;

import java.util.ArrayList;
import java.util.List;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;

import org.flowgate.shell.stats.Stat;
import org.flowgate.shell.stats.StatGroup;
import org.flowgate.shell.stats.StatsCollector;

/** One {@link StatGroup} as read-only {@code long} attributes, read live from the collector. */
final class GroupMBean implements DynamicMBean {
    private final StatsCollector collector;
    private final String type, instance, name;
    private final List<String> keys;
    private final MBeanInfo info;

    GroupMBean(StatsCollector collector, StatGroup g) {
        this.collector = collector;
        this.type = g.type();
        this.instance = g.instance();
        this.name = g.name();
        this.keys = keys(g);
        List<MBeanAttributeInfo> attrs = new ArrayList<>();
        for (Stat s : g.stats()) {
            String desc = (s.gauge() ? "gauge: " : "counter: ") + s.name() + (s.labelValue() == null ? "" : " " + s.label() + "=" + s.labelValue());
            attrs.add(new MBeanAttributeInfo(s.key(), "long", desc, true, false, false));
        }
        info = new MBeanInfo(GroupMBean.class.getName(), "Flowgate " + type + " " + name + " counters",
                attrs.toArray(MBeanAttributeInfo[]::new), null, new MBeanOperationInfo[0], null);
    }

    static List<String> keys(StatGroup g) {
        List<String> l = new ArrayList<>();
        for (Stat s : g.stats()) l.add(s.key());
        return l;
    }

    List<String> keys() { return keys; }

    private StatGroup current() {
        for (StatGroup g : collector.collect()) {
            if (g.type().equals(type) && g.instance().equals(instance) && g.name().equals(name)) return g;
        }
        return null;
    }

    private static Long value(StatGroup g, String key) {
        if (g == null) return null;
        for (Stat s : g.stats()) if (s.key().equals(key)) return s.value();
        return null;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        if (!keys.contains(attribute)) throw new AttributeNotFoundException(attribute);
        Long v = value(current(), attribute);
        return v == null ? 0L : v; // gone since the last refresh: reads as 0 until it is unregistered
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        StatGroup g = current();
        AttributeList l = new AttributeList();
        for (String a : attributes) {
            Long v = value(g, a);
            if (keys.contains(a)) l.add(new Attribute(a, v == null ? 0L : v));
        }
        return l;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) { return new AttributeList(); }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName));
    }

    @Override
    public MBeanInfo getMBeanInfo() { return info; }
}
