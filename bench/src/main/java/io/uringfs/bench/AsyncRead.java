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
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link AsynchronousFileChannel} throughput with {@link CompletionHandler}s: 4 KiB reads at
 * random aligned offsets, {@value #DEPTH} in flight; each handler issues the next read until an
 * invocation's {@value #OPS} reads are done. Each channel uses its provider's default executor.
 * {@code hot}: the 64 MiB cached file; {@code cold}: the 4 GiB file, dropped before every iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AsyncRead {
    static final int DEPTH = 64;
    static final int OPS = 4096;
    static final int BLOCK = 4096;

    @Param({"uring", "default"})
    public String fs;

    @Param({"hot", "cold"})
    public String cache;

    private AsynchronousFileChannel channel;
    private long blocks;
    private Reader[] readers;
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Thread waiter;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path src = cache.equals("hot") ? BenchFiles.hot() : BenchFiles.cold();
        if (cache.equals("hot")) BenchFiles.warm(src);
        channel = AsynchronousFileChannel.open(Fs.on(Fs.of(fs), src), StandardOpenOption.READ);
        blocks = channel.size() / BLOCK;
        readers = new Reader[DEPTH];
        for (int i = 0; i < DEPTH; i++) readers[i] = new Reader();
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
    @OperationsPerInvocation(OPS)
    public void reads() throws Exception {
        issued.set(DEPTH);
        completed.set(0);
        waiter = Thread.currentThread();
        for (Reader r : readers) r.next();
        while (completed.get() < OPS && failure.get() == null) LockSupport.park(this);
        Throwable t = failure.getAndSet(null);
        if (t != null) throw new IOException("async read failed", t);
    }

    /** One of the {@value #DEPTH} outstanding reads; reissues itself from its completion handler. */
    private final class Reader implements CompletionHandler<Integer, Void> {
        private final ByteBuffer buf = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).slice(0, BLOCK);

        void next() {
            buf.clear();
            try {
                channel.read(buf, ThreadLocalRandom.current().nextLong(blocks) * BLOCK, null, this);
            } catch (RuntimeException e) {
                failed(e, null);
            }
        }

        @Override
        public void completed(Integer n, Void unused) {
            if (n != BLOCK) {
                failed(new IOException("short read: " + n), null);
                return;
            }
            if (issued.getAndIncrement() < OPS) next();
            if (completed.incrementAndGet() == OPS) LockSupport.unpark(waiter);
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            failure.compareAndSet(null, exc);
            completed.incrementAndGet();
            LockSupport.unpark(waiter);
        }
    }
}
