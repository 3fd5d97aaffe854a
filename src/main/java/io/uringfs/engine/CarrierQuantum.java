package io.uringfs.engine;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a virtual thread whose I/O completes without parking from holding its carrier while
 * threads that uringfs woke wait for one.
 *
 * <p>Virtual threads are not preempted: one gives up its carrier only when it parks. Much of
 * uringfs' I/O completes without a park on purpose: page-cache transfers served by a plain
 * {@code RWF_NOWAIT} call, ops the kernel finishes inline during submission, and a lone op whose
 * completion its submitter waits for briefly in the kernel (see {@link Engine}). A loop of such
 * I/O would never let the virtual threads behind it run, even the one whose op completion another
 * thread waits for: twelve virtual threads looping on page-cache transfers once kept both carriers
 * while an async completion and an fsync waiter, woken by the completion thread, never ran (a hang).
 *
 * <p>So uringfs counts the threads it has woken that have not run yet (waiters whose op completed,
 * async callbacks handed to their executor). After I/O that completed without parking, a virtual
 * thread that has run for a {@link #QUANTUM_NANOS quantum} since it last gave up its carrier gives
 * it up if any such thread waits, and after a {@link #BACKSTOP_NANOS longer one} in any case, for
 * virtual threads uringfs cannot see. It does so with a 1 ns timed park, not {@link Thread#yield}:
 * a yielding virtual thread may go back on its carrier's own queue, which the scheduler drains
 * before it looks at threads woken from outside it (by the completion thread, by timers), so a few
 * looping threads starved those for good. A timed park goes through the scheduler's timer queue
 * first, which gives the others a chance, but only a chance: JDK 25 runs the expiry on a carrier,
 * which puts the thread back on its own queue, and a carrier keeps taking from the queue it took
 * from last while that looks non-empty. So with no more looping threads than carriers, others run
 * within milliseconds, and with more they may wait seconds (measured in README, known limitations;
 * {@code Thread.yield}, longer timed parks and an unpark from a platform thread were no better
 * there). Giving up the carrier is dear on this VM, whichever way: the thread mostly resumes
 * on the other carrier, which must be woken first (a lone hot reader that gave it up every 100 us
 * did 0.64-0.82x the reads/s of one that never did, every 500 us 0.74-0.79x), so it is done only
 * when someone is known to wait, or rarely. The default provider never lets go: its page-cache
 * readers starve every other virtual thread on their carriers (a 1 ms ticker woke 0-15 times in
 * 2 s beside 1,024 hot readers). The quantum starts when the thread runs again, not when it queued:
 * counted from the park, a thread behind 1,000 others had used it up by the time it ran (1,024 hot
 * readers: 0.55x the default provider's reads/s, half the carriers' time in the timer hop). The
 * clock is read on one such completion in {@value #CLOCK_EVERY}.
 *
 * <p>Thread safety: the count is a {@link LongAdder}, raised before a result is published, so it
 * is never below the true number; the rest is per thread.
 */
final class CarrierQuantum {
    private CarrierQuantum() {}

    /** On average, the clock is read once per this many completions without a park. */
    private static final int CLOCK_EVERY = 8;
    /** How long a virtual thread may run on I/O that never parks while threads uringfs woke wait for a carrier. */
    private static final long QUANTUM_NANOS = 100_000;
    /** How long it may run so when nobody uringfs woke waits. */
    private static final long BACKSTOP_NANOS = 10_000_000;
    private static final ThreadLocal<long[]> LAST_GAVE_UP = ThreadLocal.withInitial(() -> new long[] {System.nanoTime()});
    /** Threads woken by uringfs that have not run yet. */
    private static final LongAdder WOKEN = new LongAdder();

    /** A completion is about to wake {@code waiter}, or (null) to hand an async callback to its executor. */
    static void waking(Thread waiter) {
        if (waiter == null || waiter.isVirtual()) WOKEN.increment();
    }

    /** An async op's callback starts: the thread it was handed to has run. */
    static void callbackRunning() {
        WOKEN.decrement();
    }

    /**
     * The waiter of a completed op runs again (once per op, on its waiter's thread): a virtual one is
     * no longer counted as woken, and gave up its carrier if it {@code parked}, or else may have to now.
     */
    static void waited(boolean parked) {
        if (!Thread.currentThread().isVirtual()) return;
        WOKEN.decrement();
        if (parked) LAST_GAVE_UP.get()[0] = System.nanoTime(); // its quantum starts again
        else giveUpIfQuantumUsed();
    }

    /** Threads uringfs woke that have not run yet, of every engine (never below the true number). */
    static long wokenNotRun() {
        return WOKEN.sum();
    }

    /** The calling thread's transfer was served without parking or a ring op (a page-cache hit). */
    static void ranWithoutParking() {
        if (Thread.currentThread().isVirtual()) giveUpIfQuantumUsed();
    }

    private static void giveUpIfQuantumUsed() {
        if (ThreadLocalRandom.current().nextInt(CLOCK_EVERY) == 0) {
            long[] lastGaveUp = LAST_GAVE_UP.get();
            long ran = System.nanoTime() - lastGaveUp[0];
            if (ran >= QUANTUM_NANOS && (ran >= BACKSTOP_NANOS || WOKEN.sum() > 0)) {
                LockSupport.parkNanos(1);
                lastGaveUp[0] = System.nanoTime(); // the quantum starts when it runs again, not when it queued
            }
        }
    }
}
