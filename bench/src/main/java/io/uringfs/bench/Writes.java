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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded writes through a {@link FileChannel} on the JMH thread, relative position,
 * wrapping: {@code write1m} streams 1 MiB buffered writes over a 256 MiB scratch file (one op =
 * 1 MiB, so ops/s is MiB/s); {@code write4kForce} writes 4 KiB and then calls {@code force(false)}
 * (fdatasync), overwriting a 64 MiB span written and forced during set-up (steady state, as a
 * preallocated log segment).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class Writes {
    static final int MIB = 1 << 20;
    static final long WRITE_SPAN = 256L * MIB;
    static final long FORCE_SPAN = 64L * MIB;

    @Param({"uring", "default"})
    public String fs;

    private FileChannel channel;
    private Path scratch;
    private final ByteBuffer big = ByteBuffer.allocateDirect(2 * MIB).alignedSlice(4096).slice(0, MIB);
    private final ByteBuffer small = ByteBuffer.allocateDirect(8192).alignedSlice(4096).slice(0, 4096);

    @Setup(Level.Trial)
    public void open() throws IOException {
        scratch = BenchFiles.scratch("write-" + fs + ".dat");
        channel = FileChannel.open(Fs.on(Fs.of(fs), scratch), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        while (big.hasRemaining()) big.put((byte) big.position());
        while (small.hasRemaining()) small.put((byte) small.position());
        // Allocate the force span up front: while the file grows, every fdatasync also commits
        // the block allocation in the journal and runs at about 40% of the overwrite rate, a
        // phase that would fall on whichever provider's trial runs first.
        for (long pos = 0; pos < FORCE_SPAN; pos += MIB) {
            big.clear();
            while (big.hasRemaining()) channel.write(big, pos + big.position());
        }
        channel.force(true);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(scratch);
    }

    @Benchmark
    public int write1m() throws IOException {
        if (channel.position() >= WRITE_SPAN) channel.position(0);
        big.clear();
        int total = 0;
        while (big.hasRemaining()) total += channel.write(big);
        return total;
    }

    @Benchmark
    public int write4kForce() throws IOException {
        if (channel.position() >= FORCE_SPAN) channel.position(0);
        small.clear();
        int total = 0;
        while (small.hasRemaining()) total += channel.write(small);
        channel.force(false);
        return total;
    }
}
