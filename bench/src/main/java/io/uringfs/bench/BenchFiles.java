package io.uringfs.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data files the benchmarks read, created once with the default provider under the work
 * directory ({@code -Dbench.dir}, else {@code $URINGFS_BENCH_DIR}, else {@code bench/work}) and
 * reused by later runs while their size is right. Creation syncs and then evicts the new pages, so
 * a file is cold until something reads it. fio reads the same files (see {@code bench/run}).
 */
public final class BenchFiles {
    static final long MIB = 1L << 20;
    /** Small enough to stay in the page cache: the hot-cache workloads. */
    public static final long HOT_SIZE = 64 * MIB;
    /** Much larger than a run touches between two evictions: the cold and O_DIRECT workloads. */
    public static final long COLD_SIZE = Long.getLong("bench.coldSizeMiB", 4096) * MIB;
    public static final int TREE_DIRS = 100;
    public static final int TREE_FILES_PER_DIR = 100;
    public static final int TREE_FILE_SIZE = 4096;

    private BenchFiles() {
    }

    /** Creates every data file that is missing (bench/run calls this before JMH and fio). */
    public static void main(String[] args) throws IOException {
        long t0 = System.nanoTime();
        System.out.println("data files in " + dir() + ": " + hot().getFileName() + ", " + cold().getFileName()
                + ", tree of " + tree().size() + " files (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    }

    public static Path dir() throws IOException {
        String d = System.getProperty("bench.dir", System.getenv().getOrDefault("URINGFS_BENCH_DIR", "bench/work"));
        return Files.createDirectories(Path.of(d).toAbsolutePath());
    }

    public static Path hot() throws IOException {
        return ensure(dir().resolve("hot.dat"), HOT_SIZE);
    }

    public static Path cold() throws IOException {
        return ensure(dir().resolve("cold.dat"), COLD_SIZE);
    }

    /** A scratch file for write workloads, deleted by the caller. */
    public static Path scratch(String name) throws IOException {
        return dir().resolve(name);
    }

    /** Reads the whole file so its pages are cached. */
    public static void warm(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) MIB);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) buf.clear();
        }
    }

    /** The 10,000 files of the small-file tree: 100 directories of 100 files of 4 KiB. */
    public static List<Path> tree() throws IOException {
        Path root = dir().resolve("tree");
        Path done = root.resolve(".complete");
        List<Path> files = new ArrayList<>(TREE_DIRS * TREE_FILES_PER_DIR);
        for (int d = 0; d < TREE_DIRS; d++) {
            for (int f = 0; f < TREE_FILES_PER_DIR; f++) {
                files.add(root.resolve(String.format("d%03d/f%03d.dat", d, f)));
            }
        }
        if (!Files.exists(done)) {
            byte[] data = new byte[TREE_FILE_SIZE];
            SplittableRandom random = new SplittableRandom(42);
            for (Path file : files) {
                Files.createDirectories(file.getParent());
                random.nextBytes(data);
                Files.write(file, data);
            }
            PageCache.syncFileSystem(root);
            for (Path file : files) PageCache.drop(file);
            Files.createFile(done);
        }
        return files;
    }

    private static Path ensure(Path file, long size) throws IOException {
        if (Files.exists(file) && Files.size(file) == size) return file;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ByteBuffer buf = ByteBuffer.allocateDirect((int) MIB);
        SplittableRandom random = new SplittableRandom(7);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long pos = 0; pos < size; pos += MIB) {
                buf.clear();
                while (buf.hasRemaining()) buf.putLong(random.nextLong());
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        PageCache.drop(file);
        return file;
    }
}
