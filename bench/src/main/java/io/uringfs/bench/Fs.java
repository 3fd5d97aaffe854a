package io.uringfs.bench;

import io.uringfs.fs.UringFileSystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The two file systems every benchmark compares: {@code uring} (uringfs, scheme {@code uring:})
 * and {@code default} (the JDK's provider). A benchmark names one with its {@code fs} parameter
 * and turns its working paths, which are created with the default provider, into paths of that
 * file system; both then address the very same files.
 */
public final class Fs {
    private Fs() {
    }

    /** The file system called {@code name}: "uring" or "default". */
    public static FileSystem of(String name) {
        return switch (name) {
            case "default" -> FileSystems.getDefault();
            case "uring" -> uring();
            default -> throw new IllegalArgumentException("unknown file system: " + name + " (uring or default)");
        };
    }

    /** {@code path} (absolute, of the default file system) as a path of {@code fs}. */
    public static Path on(FileSystem fs, Path path) {
        return fs == FileSystems.getDefault() ? path : fs.getPath(path.toAbsolutePath().toString());
    }

    /**
     * The default {@code uring:///} file system. Refuses to run on its plain-system-call fallback
     * (its numbers would be reported as io_uring's) unless {@code -Dbench.allowFallback=true}.
     */
    private static FileSystem uring() {
        URI root = URI.create("uring:///");
        FileSystem fs;
        try {
            fs = FileSystems.getFileSystem(root);
        } catch (FileSystemNotFoundException e) {
            try {
                fs = FileSystems.newFileSystem(root, Map.of());
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }
        if (fs instanceof UringFileSystem u && !u.usesRing() && !Boolean.getBoolean("bench.allowFallback")) {
            throw new IllegalStateException("uringfs runs without io_uring here: " + u.fallbackReason());
        }
        return fs;
    }
}
