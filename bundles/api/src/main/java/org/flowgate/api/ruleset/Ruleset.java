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

    /**
     * Runs nft input on top of the running ruleset as one transaction, as {@code nft -f} and the
     * {@code nft} command line do: {@code add rule ip t c tcp dport 22 accept},
     * {@code delete rule ip t c handle 4}, {@code add element ip t s { 10.0.0.1 }},
     * {@code flush ruleset}, {@code list table ip t}, or a whole file. {@code include} is resolved
     * relative to {@code source} when it names a file.
     *
     * @return what the list commands printed (with {@code # handle N} comments), else ""
     * @throws RulesetException on the first error; nothing changed
     * @since 1.1
     */
    String execute(String text, String source) throws RulesetException;
}
