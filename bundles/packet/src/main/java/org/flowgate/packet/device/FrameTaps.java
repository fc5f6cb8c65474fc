package org.flowgate.packet.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.flowgate.api.netdev.FrameTap;

/**
 * The registered {@link FrameTap}s and which devices each watches ({@value FrameTap#DEVICE}, or
 * all). Each change recomputes the per-device arrays the packet path reads; devices that attach
 * later get theirs from {@link DeviceTable}.
 */
final class FrameTaps {
    static final FrameTap[] NONE = new FrameTap[0];

    /** Tap -> device name, or "" for every device; in registration order. */
    private final Map<FrameTap, String> taps = new LinkedHashMap<>();

    void put(FrameTap tap, String device) {
        taps.remove(tap);
        taps.put(tap, device == null ? "" : device);
    }

    boolean remove(FrameTap tap) { return taps.remove(tap) != null; }

    FrameTap[] forDevice(String name) {
        if (taps.isEmpty()) return NONE;
        List<FrameTap> l = new ArrayList<>();
        for (Map.Entry<FrameTap, String> e : taps.entrySet()) {
            if (e.getValue().isEmpty() || e.getValue().equals(name)) l.add(e.getKey());
        }
        return l.isEmpty() ? NONE : l.toArray(NONE);
    }
}
