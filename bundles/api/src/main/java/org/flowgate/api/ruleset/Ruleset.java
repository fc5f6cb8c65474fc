package org.flowgate.api.ruleset;

import org.osgi.annotation.versioning.ProviderType;

/** The nftables-style ruleset: loaded as one transaction, listed back in nft syntax. */
@ProviderType
public interface Ruleset {
    /**
     * Parses and validates {@code text} whole, then replaces the running ruleset atomically.
     *
     * @param source the name errors refer to (a file name)
     * @throws RulesetException on the first error; nothing changed
     */
    void load(String text, String source) throws RulesetException;

    /** The running ruleset, as {@code nft list ruleset} prints it. */
    String list();
}
