package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Components that must act at start, not when first used: a delayed DS component (no
 * {@code immediate="true"} while it provides a service) is activated only when a consumer gets its
 * service, and deactivated again when the last one lets go. For the ruleset that means the
 * configured firewall ({@code org.flowgate.nft} {@code file}) is not enforced after a start until
 * someone runs an nft command. Found by the soak run (the forward chain counted nothing for
 * two minutes of traffic, the ruleset loaded on the first {@code nft:list}).
 */
class ComponentActivationTest {
    static String descriptor(String component) throws IOException {
        try (InputStream in = ComponentActivationTest.class.getClassLoader().getResourceAsStream("OSGI-INF/" + component + ".xml")) {
            assertNotNull(in, "no DS descriptor for " + component + " on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void conntrackIsImmediate() throws IOException {
        assertTrue(descriptor("org.flowgate.conntrack").contains("immediate=\"true\""));
    }

    @Test
    void nftRulesetIsEnforcedAtStart() throws IOException {
        assertTrue(descriptor("org.flowgate.nft.hook.NftComponent").contains("immediate=\"true\""));
    }
}
