package org.flowgate.nft.hook;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate nft ruleset", description = "The nftables-style ruleset of a routing instance")
public @interface NftConfig {
    @AttributeDefinition(name = "Ruleset file",
            description = "nft file loaded at start and whenever this configuration changes; it replaces the running "
                    + "ruleset as one transaction (include paths are relative to it). Empty: start with an empty ruleset.")
    String file() default "";
}
