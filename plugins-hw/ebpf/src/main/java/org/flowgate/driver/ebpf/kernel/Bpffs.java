package org.flowgate.driver.ebpf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The BPF filesystem the pins live in. Under {@code ip netns exec} the process has a private
 * {@code /sys} without it: mount it there (in that mount namespace, which the driver's tc and
 * bpftool children share).
 */
final class Bpffs {
    private Bpffs() { }

    static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].equals(target) && f[2].equals("bpf")) return true;
        }
        return false;
    }

    /** Mounts bpffs on {@code dir} unless it is there; true when this call mounted it. */
    static boolean ensureMounted(Path dir) throws IOException {
        if (isMounted(dir)) return false;
        Files.createDirectories(dir);
        Commands.check(List.of(Commands.resolve("mount"), "-t", "bpf", "bpf", dir.toString()));
        return true;
    }

    /** Removes a pin directory tree (unlinking a pin drops the reference it held). */
    static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** An id of the calling thread's network namespace ({@code net:[inode]} -> inode). */
    static String netnsId() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            return link.replaceAll("\\D", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }
}
