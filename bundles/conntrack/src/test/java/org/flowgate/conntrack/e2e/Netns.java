package org.flowgate.conntrack.e2e;

import java.util.concurrent.Callable;

import org.flowgate.testsupport.netns.Shell;

/** Namespace helpers for the root test: {@code ip} commands and running code inside a namespace. */
final class Netns {
    private Netns() {}

    static boolean isRoot() { return Shell.isRoot(); }

    static boolean has(String... cmd) {
        try {
            return run(false, cmd) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static int run(boolean check, String... cmd) { return Shell.run(check, cmd); }

    /** Runs {@code task} inside namespace {@code ns} (a fresh thread that entered it), 30 s at most. */
    static <T> T inNamespace(String ns, Callable<T> task) throws Exception { return Shell.inNamespace(ns, task, 30); }
}
