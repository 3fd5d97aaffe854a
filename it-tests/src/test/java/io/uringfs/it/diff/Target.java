package io.uringfs.it.diff;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file systems a scenario runs on. Each run gets a fresh, empty root directory; the default and
 * the uring column use real directories of the same kind (under one temp directory), so that the
 * kernel, the file system type and the umask are the same and only the provider differs.
 */
enum Target {
    /** The JDK's default provider: the reference. */
    DEFAULT,
    /**
     * jimfs with {@code Configuration.unix()} plus every attribute view jimfs ships besides acl
     * (owner, posix, unix, dos and user; the Unix configuration alone offers only basic): checks
     * that a scenario is provider-agnostic.
     */
    JIMFS,
    /**
     * The provider under test, on {@code uring://<real dir>}, called from a platform thread (plain
     * system calls for reads, writes, opens, stats and fsync).
     */
    URING,
    /**
     * The same, with the scenario run on a virtual thread: the thread for which uringfs submits to
     * the ring (after a non-blocking first try for reads, writes, opens and stats), so the ring's
     * results and errors are compared with the default provider too.
     */
    URING_VT;

    /** Whether scenarios of this column run on a virtual thread. */
    boolean virtual() {
        return this == URING_VT;
    }

    /** The column's name in test names and the outcome table. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** A fresh root for one run; {@link Root#close()} removes it. */
    Root newRoot(Path base) throws IOException {
        return switch (this) {
            case DEFAULT -> {
                Path dir = Files.createTempDirectory(base, "d");
                yield new Root(dir, dir, null);
            }
            case URING, URING_VT -> {
                Path dir = Files.createTempDirectory(base, "u");
                yield new Root(Path.of(URI.create("uring://" + dir)), dir, null);
            }
            case JIMFS -> {
                FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                        .setAttributeViews("basic", "owner", "posix", "unix", "dos", "user").build());
                Path dir = Files.createDirectories(fs.getPath("/tmp/j"));
                yield new Root(dir, dir, fs);
            }
        };
    }

    /**
     * @param path    the root the scenario gets
     * @param witness the same directory seen through a provider that is not under test (the
     *                default provider for the uring column), used to snapshot the resulting tree
     */
    record Root(Path path, Path witness, FileSystem owned) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (owned != null) {
                owned.close();
            } else {
                Trees.deleteRecursively(witness);
            }
        }
    }
}
