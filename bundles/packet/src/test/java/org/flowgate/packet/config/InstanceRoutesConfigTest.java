package org.flowgate.packet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.annotation.Annotation;
import java.util.Map;

import org.flowgate.api.route.Route;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** org.flowgate.routes.instance driven as SCR would: routes land in the named instance's table only. */
class InstanceRoutesConfigTest {
    final Router def = new Router(), blue = new Router();

    @AfterEach
    void close() {
        def.close();
        blue.close();
    }

    record Routes(String flowgate_instance, String[] routes) implements InstanceRoutesConfig {
        @Override public Class<? extends Annotation> annotationType() { return InstanceRoutesConfig.class; }
    }

    static boolean has(Router r, String destination) {
        for (Route route : r.routes().list()) if (route.destination().toString().equals(destination)) return true;
        return false;
    }

    @Test
    void routesGoToTheirInstanceFollowItsTableAndLeaveWithTheConfiguration() {
        InstanceRoutesConfigComponent c = new InstanceRoutesConfigComponent();
        c.bindTable(def.routes(), Map.of("flowgate.instance", "default"));
        c.apply(new Routes("blue", new String[] {"10.9.0.0/16 via 10.0.1.5, 10.8.0.0/16 dev eth1"}), Map.of("flowgate.instance", "blue"));
        assertFalse(has(def, "10.9.0.0/16"), "not in default");
        c.bindTable(blue.routes(), Map.of("flowgate.instance", "blue"));
        assertTrue(has(blue, "10.9.0.0/16") && has(blue, "10.8.0.0/16"), "in blue once its table is there");
        assertFalse(has(def, "10.9.0.0/16"));

        c.apply(new Routes("blue", new String[] {"10.7.0.0/16 via 10.0.1.5"}), Map.of("flowgate.instance", "blue"));
        assertTrue(has(blue, "10.7.0.0/16"));
        assertFalse(has(blue, "10.9.0.0/16"), "replaced by the new configuration");

        c.unbindTable(blue.routes());
        Router blue2 = new Router();
        try {
            c.bindTable(blue2.routes(), Map.of("flowgate.instance", "blue"));
            assertTrue(has(blue2, "10.7.0.0/16"), "a restarted instance gets its routes again");
            c.apply(new Routes("default", new String[] {"10.7.0.0/16 via 10.0.1.5"}), Map.of("flowgate.instance", "default"));
            assertFalse(has(blue2, "10.7.0.0/16"), "moved out of blue");
            assertTrue(has(def, "10.7.0.0/16"), "into default");
            c.deactivate();
            assertFalse(has(def, "10.7.0.0/16"), "withdrawn with the configuration");
        } finally {
            blue2.close();
        }
    }

    @Test
    void aConfigurationWithoutInstanceIsIgnored() {
        InstanceRoutesConfigComponent c = new InstanceRoutesConfigComponent();
        c.bindTable(def.routes(), Map.of());
        c.apply(new Routes(null, new String[] {"10.9.0.0/16 via 10.0.1.5"}), Map.of());
        assertFalse(has(def, "10.9.0.0/16"));
    }

    @Test
    void aTableWithABlankInstanceIsTheDefaultOneAndNamesAreTrimmed() {
        InstanceRoutesConfigComponent c = new InstanceRoutesConfigComponent();
        c.bindTable(def.routes(), Map.of("flowgate.instance", " "));
        c.bindTable(blue.routes(), Map.of("flowgate.instance", "blue "));
        c.apply(new Routes("default", new String[] {"10.6.0.0/16 via 10.0.1.5"}), Map.of("flowgate.instance", "default"));
        assertTrue(has(def, "10.6.0.0/16"), "a blank flowgate.instance is the default instance");
        c.apply(new Routes("blue", new String[] {"10.5.0.0/16 via 10.0.1.5"}), Map.of("flowgate.instance", " blue"));
        assertTrue(has(blue, "10.5.0.0/16"), "names compare trimmed");
        assertFalse(has(def, "10.6.0.0/16"), "moved out of default");
    }
}
