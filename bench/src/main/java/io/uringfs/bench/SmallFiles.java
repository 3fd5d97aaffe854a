package io.uringfs.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads every file of a tree of 10,000 files of 4 KiB (100 directories x 100 files): per file
 * open, stat ({@code Files.readAttributes}), read, close. One invocation reads the whole tree with
 * {@code threads} virtual threads, each taking every threads-th file; one op = one file.
 * {@code cold}: every file's pages are dropped before every invocation (directory entries and
 * inodes stay cached: dropping those needs root); the drop runs outside the timed region but its
 * CPU time is in the process CPU time per op (about the same for both file systems).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SmallFiles {
    static final int FILES = BenchFiles.TREE_DIRS * BenchFiles.TREE_FILES_PER_DIR;

    @Param({"uring", "default"})
    public String fs;

    @Param({"hot", "cold"})
    public String cache;

    @Param({"64", "1"})
    public int threads;

    private List<Path> local;
    private Path[] files;
    private ByteBuffer[] buffers;
    private VirtualThreads workers;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        local = BenchFiles.tree();
        FileSystem fileSystem = Fs.of(fs);
        files = new Path[local.size()];
        for (int i = 0; i < files.length; i++) files[i] = Fs.on(fileSystem, local.get(i));
        buffers = new ByteBuffer[threads];
        for (int i = 0; i < threads; i++) buffers[i] = ByteBuffer.allocateDirect(BenchFiles.TREE_FILE_SIZE);
        workers = new VirtualThreads(threads, this::readSlice);
        if (cache.equals("hot")) {
            for (Path p : local) Files.readAllBytes(p);
        }
    }

    @Setup(Level.Invocation)
    public void dropPages() {
        if (cache.equals("cold")) {
            for (Path p : local) PageCache.drop(p);
        }
    }

    private void readSlice(int id) throws IOException {
        ByteBuffer buf = buffers[id];
        for (int i = id; i < files.length; i += threads) {
            Path p = files[i];
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long size = Files.readAttributes(p, BasicFileAttributes.class).size();
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // until full or end of file
                }
                if (buf.position() != size) throw new IOException("read " + buf.position() + " of " + size + ": " + p);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(FILES)
    public void readTree() throws Exception {
        workers.run();
    }
}
