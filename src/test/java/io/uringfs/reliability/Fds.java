package io.uringfs.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts this process's open file descriptors ({@code /proc/self/fd}). */
final class Fds {
    private Fds() {}

    static int open() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // the listing's own descriptor
        }
    }
}
