package org.flowgate.shell.instance;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.flowgate.api.instance.RoutingInstance;

/**
 * What makes a component configuration belong to routing instance {@code <name>}: the
 * {@code flowgate.instance} property and, per factory PID, the DS reference targets
 * ({@code <reference>.target}) that point the component at the services of that instance only.
 * {@code router:instance add} writes them all; {@link InstanceTargetsPlugin} fills in whatever a
 * hand-written configuration leaves out.
 */
public final class InstanceTargets {
    public static final String ROUTER = "org.flowgate.router", CONNTRACK = "org.flowgate.conntrack.instance",
            FLOWTABLE = "org.flowgate.flowtable.instance", NFT = "org.flowgate.nft.instance",
            ROUTES = "org.flowgate.routes.instance", INTERFACE = "org.flowgate.interface";

    /** What an instance name may be (it goes into LDAP filters unescaped). */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    /** The factory configurations an instance is made of (router:instance add writes these). */
    public static final List<String> INSTANCE_PIDS = List.of(ROUTER, CONNTRACK, FLOWTABLE, NFT);

    private InstanceTargets() {}

    /** Reference target properties of a configuration of {@code factoryPid} for instance {@code name}; empty for other PIDs. */
    public static Map<String, String> targets(String factoryPid, String name) {
        String own = "(" + RoutingInstance.PROPERTY + "=" + name + ")";
        Map<String, String> m = new LinkedHashMap<>();
        switch (factoryPid == null ? "" : factoryPid) {
            case ROUTER -> { m.put("Port.target", "(&(!(flowgate.nic=*))" + own + ")"); m.put("Hook.target", own); m.put("Tap.target", own); }
            case CONNTRACK -> m.put("Listener.target", own);
            case FLOWTABLE -> {
                for (String r : new String[] {"conntrack", "routes", "neighbours", "devices", "Listener"}) m.put(r + ".target", own);
            }
            case NFT -> { m.put("ConnTracker.target", own); m.put("LocalOutput.target", own); m.put("FlowTableService.target", own); }
            case ROUTES -> m.put("table.target", own);
            case INTERFACE -> m.put("devices.target", own);
            default -> { }
        }
        return m;
    }

    /** The properties of the configuration of {@code factoryPid} that makes instance {@code name}. */
    public static Dictionary<String, Object> configuration(String factoryPid, String name) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put(RoutingInstance.PROPERTY, name);
        targets(factoryPid, name).forEach(d::put);
        return d;
    }

    /**
     * Completes {@code props} (a configuration of one of the per-instance factory PIDs) in place:
     * {@code flowgate.instance} from the configuration's name ({@code <factoryPid>~<name>}) when
     * absent, then every reference target it does not set. Returns whether anything was added.
     * Targets a configuration sets itself are kept. {@code org.flowgate.interface} configurations
     * are completed only when they name an instance other than default.
     */
    public static boolean complete(Dictionary<String, Object> props) {
        Object factoryPid = props.get("service.factoryPid");
        if (!(factoryPid instanceof String fpid)) return false;
        boolean changed = false;
        String name = RoutingInstance.nameOrNull(props.get(RoutingInstance.PROPERTY));
        if (name == null) {
            if (fpid.equals(INTERFACE)) return false;
            name = nameOf(props.get("service.pid"), fpid);
            if (name == null || targets(fpid, name).isEmpty()) return false;
            props.put(RoutingInstance.PROPERTY, name);
            changed = true;
        }
        if (fpid.equals(INTERFACE) && name.equals(RoutingInstance.DEFAULT)) return changed;
        if (!NAME.matcher(name).matches()) return changed; // not a name a filter can hold: the component keeps its defaults
        for (Map.Entry<String, String> t : targets(fpid, name).entrySet()) {
            if (props.get(t.getKey()) == null) {
                props.put(t.getKey(), t.getValue());
                changed = true;
            }
        }
        return changed;
    }

    /** Whether {@link #complete} would add anything to {@code props}. */
    public static boolean incomplete(Dictionary<String, Object> props) { return complete(copy(props)); }

    /** A modifiable copy of {@code p}. */
    static Dictionary<String, Object> copy(Dictionary<String, Object> p) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (var e = p.keys(); e.hasMoreElements(); ) {
            String k = e.nextElement();
            d.put(k, p.get(k));
        }
        return d;
    }

    /** {@code blue} from the PID {@code org.flowgate.router~blue} (ConfigAdmin 1.6 named factory configurations). */
    static String nameOf(Object pid, String factoryPid) {
        if (!(pid instanceof String p) || !p.startsWith(factoryPid + "~")) return null;
        String name = p.substring(factoryPid.length() + 1);
        return NAME.matcher(name).matches() && !name.equals(RoutingInstance.DEFAULT) ? name : null;
    }
}
