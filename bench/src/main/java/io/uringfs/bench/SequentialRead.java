package io.uringfs.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Streaming 1 MiB reads through a {@link FileChannel} (relative position, wrapping at the end) on
 * the JMH thread. {@code hot}: the 64 MiB file, cached; {@code cold}: the 4 GiB file, its pages
 * dropped before every iteration and, behind the reader, after every op. One op = 1 MiB, so ops/s
 * is MiB/s.
 *
 * <p>Dropping behind the reader keeps the cold case cold when a fast disk lets an iteration read
 * past the end of the file: without it the reader wrapped onto pages it had just read, and a
 * provider that got there sooner read the rest from the page cache (2026-12-01, pass Z: the default
 * provider 15,843 MiB/s "cold" against 18,699 hot, uringfs 3,803). Both providers pay the same
 * {@code posix_fadvise} per op, outside the provider.
 *
 * <p>Before a cold trial the whole 4 GiB file is read once through the default provider and
 * dropped again, so that both forks start from a file the machine has just read. Without that,
 * whichever provider's fork ran first tended to be slower on the same plain {@code read} calls
 * (2026-11-30: uringfs first 977 against the default provider's 1,890 MiB/s, in the reverse order
 * the default provider 1,750 against uringfs' 1,949). It remains the noisiest case: the kernel's
 * readahead sometimes allocates single pages instead of large folios for a whole fork (then up to
 * 3x the CPU per MiB), a state of the guest's memory rather than of either provider; see the notes
 * of 2026-11-30.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SequentialRead {
    static final int MIB = 1 << 20;

    @Param({"uring", "default"})
    public String fs;

    @Param({"hot", "cold"})
    public String cache;

    private FileChannel channel;
    private Path file;
    /** Where the next read starts: the channel's position, tracked here so the op makes no extra provider call. */
    private long position;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(2 * MIB).alignedSlice(4096).slice(0, MIB);

    @Setup(Level.Trial)
    public void open() throws IOException {
        file = cache.equals("hot") ? BenchFiles.hot() : BenchFiles.cold();
        if (cache.equals("hot")) BenchFiles.warm(file);
        else readThrough(file);
        channel = FileChannel.open(Fs.on(Fs.of(fs), file), StandardOpenOption.READ);
        position = 0;
    }

    /** One sequential pass over the whole file on the default provider, then its pages dropped (see class comment). */
    private static void readThrough(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MIB);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            while (c.read(b.clear()) >= 0) {
                // nothing to keep
            }
        }
        PageCache.drop(file);
    }

    @Setup(Level.Iteration)
    public void dropPages() throws IOException {
        if (cache.equals("cold")) PageCache.drop(BenchFiles.cold());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
    }

    @Benchmark
    public int read1m() throws IOException {
        buf.clear();
        long start = position;
        boolean wrapped = false;
        int total = 0;
        while (buf.hasRemaining()) {
            int n = channel.read(buf);
            if (n < 0) {
                channel.position(0);
                position = 0;
                wrapped = true;
            } else {
                total += n;
                position += n;
            }
        }
        if (cache.equals("cold")) {
            PageCache.drop(file, start, wrapped ? 0 : position - start); // 0: to the end of the file
            if (wrapped) PageCache.drop(file, 0, position);
        }
        return total;
    }
}
