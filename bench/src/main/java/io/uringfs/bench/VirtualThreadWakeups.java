package io.uringfs.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a blocking read costs a virtual thread when the read itself costs nothing: no file, no
 * system call, only the park and the unpark. It is the floor under the CPU per read of any file
 * system that lets 1,024 virtual threads block in {@code O_DIRECT} reads without pinning their
 * carriers, to set beside the kernel's own work per read (fio's system time) in the report.
 *
 * <p>1,024 virtual threads ({@link ContinuousWorkers}) each put themselves on a queue and park; a
 * platform thread, standing in for the disk and the thread that reaps its completions, wakes
 * {@value #PER_TICK} of them every millisecond: the rhythm of the {@code O_DIRECT} reads on the
 * machine this was written on (its disk holds 85 reads and completes about 85 per interrupt, about
 * 1,000 interrupts a second; see bench/results/2026-11-30-vm-notes.md). The rhythm matters: woken 32
 * at a time every 0.4 ms, the carriers go idle and are woken more often, and a park and unpark
 * cost about twice the CPU. Score: wake-ups per second; {@link RunMetrics}' CPU per op is then
 * the process' CPU per park and unpark (carriers, the waking thread, JMH and the ticker together).
 *
 * <p>Thread safety: the queue is the only state the workers and the waking thread share; each
 * worker's {@link Waiter} is written by it before it queues itself and read by the waker after.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class VirtualThreadWakeups {
    static final int THREADS = 1024;
    static final int PER_TICK = 85;
    private static final long TICK_NANOS = 1_000_000L;

    /** A parked worker: the thread to unpark, and the flag that tells it the wake-up was its own. */
    private static final class Waiter {
        volatile Thread thread;
        volatile boolean woken;
    }

    private final ConcurrentLinkedQueue<Waiter> parked = new ConcurrentLinkedQueue<>();
    private final Waiter[] waiters = new Waiter[THREADS];
    private ContinuousWorkers workers;
    private Thread waker;
    private volatile boolean waking;

    @Setup(Level.Trial)
    public void create() {
        for (int i = 0; i < THREADS; i++) waiters[i] = new Waiter();
        workers = new ContinuousWorkers(THREADS, id -> block(waiters[id]));
    }

    /** One "read": queue this thread and park until the waker says it is done. */
    private void block(Waiter w) {
        w.thread = Thread.currentThread();
        w.woken = false;
        parked.add(w);
        while (!w.woken) LockSupport.park(this);
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        waking = true;
        waker = Thread.ofPlatform().name("bench-waker").start(this::wakeLoop);
        workers.start();
    }

    private void wakeLoop() {
        while (waking) {
            LockSupport.parkNanos(TICK_NANOS);
            for (int i = 0; i < PER_TICK; i++) {
                Waiter w = parked.poll();
                if (w == null) break;
                w.woken = true;
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** Stops the workers (the waker keeps waking them until they have all left), then the waker. */
    @TearDown(Level.Iteration)
    public void stopIteration() throws Exception {
        workers.stop();
        waking = false;
        waker.join();
    }

    @Benchmark
    @OperationsPerInvocation(THREADS * RandomRead.OPS_PER_THREAD)
    public void vt1024() throws Exception {
        workers.await(THREADS * RandomRead.OPS_PER_THREAD);
    }
}
