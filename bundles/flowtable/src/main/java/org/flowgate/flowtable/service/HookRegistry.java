package org.flowgate.flowtable.service;

import java.util.Map;

import org.flowgate.api.hook.PacketHook;

/**
 * Where the fast path hooks get registered: OSGi services in a framework, or straight into a
 * packet path when a router is wired in-process (tests, benchmarks).
 */
public interface HookRegistry {
    /** Registers a hook with its service properties; closing the result unregisters it. */
    Registration register(PacketHook hook, Map<String, Object> properties);

    interface Registration {
        void unregister();
    }
}
