package org.flowgate.api.instance;

import java.util.Map;

/**
 * The routing instance a service or configuration belongs to: its {@value #PROPERTY} property.
 * Every per-instance service (devices, routes, neighbours, hooks, conntrack, flow tables,
 * rulesets, offload drivers, ports) carries it. A missing or blank value means {@value #DEFAULT}.
 *
 * <p>The one rule for reading it ({@link #name(Object)}): a {@code String} is trimmed, a
 * {@code String[]} counts by its first element, and anything else (null, blank, another type)
 * is the default instance. Filters see the raw value (a blank one is not matched by
 * {@link #DEFAULT_MEMBERS}): register {@code name(configured)}, never the configured text itself.
 */
public final class RoutingInstance {
    /** The service and configuration property naming the routing instance. */
    public static final String PROPERTY = "flowgate.instance";

    /** The instance of services and configurations that name none. */
    public static final String DEFAULT = "default";

    /** {@code flowgate.instance=default}, for {@code @Component(property = ...)} of a default instance service. */
    public static final String DEFAULT_SERVICE_PROPERTY = PROPERTY + "=" + DEFAULT;

    /** Filter {@code (flowgate.instance=default)}: services that say they belong to the default instance. */
    public static final String DEFAULT_FILTER = "(" + PROPERTY + "=" + DEFAULT + ")";

    /**
     * Filter {@code (|(flowgate.instance=default)(!(flowgate.instance=*)))}: the members of the
     * default instance, services saying so and services that name no instance.
     */
    public static final String DEFAULT_MEMBERS = "(|" + DEFAULT_FILTER + "(!(" + PROPERTY + "=*)))";

    private RoutingInstance() {}

    /** The instance a property value names: see the class comment; never null. */
    public static String name(Object value) {
        String n = nameOrNull(value);
        return n == null ? DEFAULT : n;
    }

    /**
     * The instance a property value names, trimmed, or null when it names none (null, blank,
     * not a string): for configurations that must name their instance themselves.
     */
    public static String nameOrNull(Object value) {
        if (value instanceof String[] a) value = a.length > 0 ? a[0] : null;
        return value instanceof String s && !s.isBlank() ? s.trim() : null;
    }

    /** The instance of a service's or configuration's properties ({@code null} = none = default). */
    public static String of(Map<String, ?> properties) {
        return name(properties == null ? null : properties.get(PROPERTY));
    }
}
