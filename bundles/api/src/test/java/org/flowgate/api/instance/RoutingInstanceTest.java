package org.flowgate.api.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RoutingInstanceTest {
    @Test
    void constantsSpellTheProperty() {
        assertEquals("flowgate.instance", RoutingInstance.PROPERTY);
        assertEquals("default", RoutingInstance.DEFAULT);
        assertEquals("flowgate.instance=default", RoutingInstance.DEFAULT_SERVICE_PROPERTY);
        assertEquals("(flowgate.instance=default)", RoutingInstance.DEFAULT_FILTER);
        assertEquals("(|(flowgate.instance=default)(!(flowgate.instance=*)))", RoutingInstance.DEFAULT_MEMBERS);
    }

    @Test
    void aNamedInstanceIsTrimmed() {
        assertEquals("blue", RoutingInstance.name("blue"));
        assertEquals("blue", RoutingInstance.name("  blue\t"));
        assertEquals("default", RoutingInstance.name("default"));
    }

    @Test
    void missingBlankOrNotAStringIsTheDefault() {
        assertEquals("default", RoutingInstance.name(null));
        assertEquals("default", RoutingInstance.name(""));
        assertEquals("default", RoutingInstance.name(" \t "));
        assertEquals("default", RoutingInstance.name(42));
        assertEquals("default", RoutingInstance.name(Boolean.TRUE));
        assertEquals("default", RoutingInstance.name(new String[0]));
    }

    @Test
    void aStringArrayCountsByItsFirstElement() {
        assertEquals("red", RoutingInstance.name(new String[] {" red ", "blue"}));
        assertEquals("default", RoutingInstance.name(new String[] {" ", "blue"}));
    }

    @Test
    void nameOrNullTellsAMissingInstanceApart() {
        assertEquals("blue", RoutingInstance.nameOrNull(" blue"));
        assertEquals("default", RoutingInstance.nameOrNull("default"));
        assertNull(RoutingInstance.nameOrNull(null));
        assertNull(RoutingInstance.nameOrNull("  "));
        assertNull(RoutingInstance.nameOrNull(7));
    }

    @Test
    void ofReadsThePropertyOfAMap() {
        assertEquals("blue", RoutingInstance.of(Map.of("flowgate.instance", "blue ", "service.id", 4L)));
        assertEquals("default", RoutingInstance.of(Map.of("service.id", 4L)));
        assertEquals("default", RoutingInstance.of(null));
        Map<String, Object> blank = new HashMap<>();
        blank.put("flowgate.instance", "");
        assertEquals("default", RoutingInstance.of(blank));
    }
}
