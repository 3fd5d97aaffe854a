package io.uringfs.fs;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test support: the same scenario on three file systems. {@link #create} makes one fresh, empty
 * directory per provider: one on the default provider, one in a jimfs unix file system, and one
 * seen through {@code uring:} (a separate real directory, so that mutating scenarios do not
 * interfere). {@link #setup} holds the paths to populate with the default provider's (or jimfs')
 * own operations, index by index. Outcomes are compared after replacing each root with {@code <root>}.
 */
final class ThreeProviders implements AutoCloseable {
    static final String[] NAMES = {"file", "jimfs", "uring"};

    final Path[] roots = new Path[3];
    final Path[] setup = new Path[3];
    private final FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix());
    private final List<Path> realDirs = new ArrayList<>();

    static ThreeProviders create() throws IOException {
        ThreeProviders d = new ThreeProviders();
        Path a = Files.createTempDirectory("diff-file");
        Path b = Files.createDirectories(d.jimfs.getPath("/work/diff"));
        Path c = Files.createTempDirectory("diff-uring");
        d.realDirs.add(a);
        d.realDirs.add(c);
        d.roots[0] = a;
        d.roots[1] = b;
        d.roots[2] = uring(c);
        d.setup[0] = a;
        d.setup[1] = b;
        d.setup[2] = c;
        return d;
    }

    static Path uring(Path defaultPath) {
        return FileSystems.getFileSystem(URI.create("uring:///")).getPath(defaultPath.toString());
    }

    @FunctionalInterface
    interface Scenario {
        Object run(Path root) throws Exception;
    }

    @FunctionalInterface
    interface Setup {
        void run(Path root) throws IOException;
    }

    void populate(Setup s) throws IOException {
        for (Path p : setup) s.run(p);
    }

    /** Runs {@code s} on every provider: "result" or "exception class: message", roots normalised. */
    String[] outcomes(Scenario s) {
        String[] out = new String[3];
        for (int i = 0; i < 3; i++) out[i] = outcome(roots[i], s);
        return out;
    }

    static String outcome(Path root, Scenario s) {
        String r;
        try {
            r = "= " + s.run(root);
        } catch (Throwable t) {
            r = t.getClass().getName() + ": " + t.getMessage()
                    + (t.getCause() != null ? " <- " + t.getCause().getClass().getName() + ": " + t.getCause().getMessage() : "");
        }
        return r.replace(root.toString(), "<root>");
    }

    @Override
    public void close() throws IOException {
        jimfs.close();
        for (Path dir : realDirs) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
