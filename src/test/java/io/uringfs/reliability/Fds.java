package io.uringfs.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This process's open file descriptors ({@code /proc/self/fd}). */
final class Fds {
    private Fds() {}

    /**
     * What each open descriptor refers to (its {@code /proc/self/fd} link target: a path,
     * {@code anon_inode:[io_uring]}, {@code pipe:[...]}...), sorted; includes the listing's own
     * descriptor (a link to {@code /proc/PID/fd}), so two calls compare like for like.
     */
    private static final String DELETED = " (deleted)";

    static List<String> targets() throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : s) {
                try {
                    // A file unlinked while open (by anyone) is still the same descriptor
                    String target = Files.readSymbolicLink(fd).toString();
                    out.add(target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) : target);
                } catch (NoSuchFileException closed) {
                    // closed meanwhile by another thread
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * {@link #targets()} limited to what a file system working under {@code dir} opens: files and
     * directories there, rings and inotify instances (anonymous inodes). All of them would also
     * count the JVM opening and closing its own files (jars, JFR chunks) meanwhile.
     */
    static List<String> targetsFor(Path dir) throws IOException {
        String under = dir.toRealPath() + "/";
        return targets().stream().filter(t -> t.startsWith(under) || t.startsWith("anon_inode:")).toList();
    }
}
