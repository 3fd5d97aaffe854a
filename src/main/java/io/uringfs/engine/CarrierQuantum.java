package io.uringfs.engine;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a virtual thread whose I/O completes without parking from holding its carrier for good.
 *
 * <p>Virtual threads are not preempted: one gives up its carrier only when it parks. Much of
 * uringfs' I/O completes without a park on purpose: page-cache transfers served by a plain
 * {@code RWF_NOWAIT} call, ops the kernel finishes inline during submission, and a lone op whose
 * completion its submitter waits for briefly in the kernel (see {@link Engine}). A loop of such
 * I/O would never let the virtual threads behind it run, even the one whose op completion another
 * thread waits for. The default provider never lets go either: its page-cache readers starve
 * every other virtual thread on their carriers (measured: a 1 ms ticker woke 0-15 times in 2 s
 * beside 1,024 hot readers). With a single carrier (one CPU, or
 * {@code jdk.virtualThreadScheduler.parallelism=1}) the brief wait did the same: each reader's
 * next read was again the only one in flight and completed within the wait, so 1,000 readers ran
 * one at a time (15,000 O_DIRECT reads/s instead of 80,000) and a ticker woke 0 times in 3 s.
 *
 * <p>So after I/O that completed without parking, a virtual thread that has run for a
 * {@link #QUANTUM_NANOS quantum} since it last gave up its carrier gives it up. It does so with a
 * 1 ns timed park, not {@link Thread#yield}: a yielding virtual thread goes back on its carrier's
 * own queue, which the scheduler drains before it looks at threads unparked from outside it (by
 * the completion thread, by timers), so a few looping threads starved those for good (observed as
 * a hang); a timed park re-enters through that outside queue, behind them. It costs a timer hop
 * (~25 µs here), hence the quantum rather than a park every few transfers (once per 16 halved one
 * hot reader's throughput). The clock is read on one such completion in {@value #CLOCK_EVERY}.
 *
 * <p>Thread safety: the only state is per thread.
 */
final class CarrierQuantum {
    private CarrierQuantum() {}

    /** On average, the clock is read once per this many completions without a park. */
    private static final int CLOCK_EVERY = 8;
    /** How long a virtual thread may run on I/O that never parks before it gives up its carrier. */
    private static final long QUANTUM_NANOS = 500_000;
    private static final ThreadLocal<long[]> LAST_GAVE_UP = ThreadLocal.withInitial(() -> new long[] {System.nanoTime()});

    /** The calling thread's I/O just completed without parking. */
    static void ranWithoutParking() {
        if (Thread.currentThread().isVirtual() && ThreadLocalRandom.current().nextInt(CLOCK_EVERY) == 0) {
            long[] lastGaveUp = LAST_GAVE_UP.get();
            long now = System.nanoTime();
            if (now - lastGaveUp[0] >= QUANTUM_NANOS) {
                lastGaveUp[0] = now;
                LockSupport.parkNanos(1);
            }
        }
    }

    /** The calling thread parked for its I/O; a virtual one gave up its carrier, so its quantum starts again. */
    static void parked() {
        if (Thread.currentThread().isVirtual()) LAST_GAVE_UP.get()[0] = System.nanoTime();
    }
}
