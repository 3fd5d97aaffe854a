package io.uringfs.bench;

import com.sun.nio.file.ExtendedOpenOption;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * 4 KiB reads at random 4 KiB-aligned offsets through one shared {@link FileChannel}.
 *
 * <p>Cache states: {@code hot} (a 64 MiB file read fully before the trial), {@code cold} (a 4 GiB
 * file whose pages are dropped before every iteration, warm-up included, so nearly every read
 * misses) and {@code direct} (the same file opened with {@code O_DIRECT}).
 *
 * <p>{@code vtN}: N virtual threads read without a break for the whole iteration (see
 * {@link ContinuousWorkers}); an invocation waits for {@value #OPS_PER_THREAD} more reads per
 * thread, and the score is reads per second over all of them. {@code platform}: one
 * read per invocation on the JMH (platform) thread, the cleanest view of per-read overhead and
 * allocation. Buffers are direct and 4 KiB-aligned (O_DIRECT needs that), one per thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RandomRead {
    static final int OPS_PER_THREAD = 32;
    static final int BLOCK = 4096;

    @Param({"uring", "default"})
    public String fs;

    @Param({"hot", "cold", "direct"})
    public String cache;

    private Path file;
    private FileChannel channel;
    private long blocks;
    private ByteBuffer[] buffers;
    private ContinuousWorkers workers;

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws IOException {
        Path local = cache.equals("hot") ? BenchFiles.hot() : BenchFiles.cold();
        if (cache.equals("hot")) BenchFiles.warm(local);
        file = Fs.on(Fs.of(fs), local);
        OpenOption[] options = cache.equals("direct")
                ? new OpenOption[] {StandardOpenOption.READ, ExtendedOpenOption.DIRECT}
                : new OpenOption[] {StandardOpenOption.READ};
        channel = FileChannel.open(file, options);
        blocks = channel.size() / BLOCK;
        buffers = new ByteBuffer[1024];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).slice(0, BLOCK);
        }
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        if (method.startsWith("vt")) {
            workers = new ContinuousWorkers(Integer.parseInt(method.substring(2)), id -> read(buffers[id]));
        }
    }

    /** Drops the cold file's pages, then starts the iteration's readers (none for {@code platform}). */
    @Setup(Level.Iteration)
    public void startIteration() throws IOException {
        if (cache.equals("cold")) PageCache.drop(BenchFiles.cold());
        if (workers != null) workers.start();
    }

    @TearDown(Level.Iteration)
    public void stopIteration() throws Exception {
        if (workers != null) workers.stop();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
    }

    private int read(ByteBuffer buf) throws IOException {
        buf.clear();
        long pos = ThreadLocalRandom.current().nextLong(blocks) * BLOCK;
        int n = channel.read(buf, pos);
        if (n != BLOCK) throw new EOFException("short read: " + n + " at " + pos);
        return n;
    }

    @Benchmark
    public int platform() throws IOException {
        return read(buffers[0]);
    }

    @Benchmark
    @OperationsPerInvocation(OPS_PER_THREAD)
    public void vt1() throws Exception {
        workers.await(OPS_PER_THREAD);
    }

    @Benchmark
    @OperationsPerInvocation(16 * OPS_PER_THREAD)
    public void vt16() throws Exception {
        workers.await(16 * OPS_PER_THREAD);
    }

    @Benchmark
    @OperationsPerInvocation(256 * OPS_PER_THREAD)
    public void vt256() throws Exception {
        workers.await(256 * OPS_PER_THREAD);
    }

    @Benchmark
    @OperationsPerInvocation(1024 * OPS_PER_THREAD)
    public void vt1024() throws Exception {
        workers.await(1024 * OPS_PER_THREAD);
    }
}
