package io.uringfs.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * How a virtual thread gives up its carrier when {@link CarrierQuantum} says it must: with a 1 ns
 * timed park while no more threads loop on I/O that never parks than there are carriers, and by
 * taking turns while more do.
 *
 * <p>A timed park alone makes no room once the looping threads outnumber the carriers. JDK 25 runs
 * the park's expiry on a carrier, whose unpark puts the thread on that carrier's own queue; a
 * carrier runs its own queue until it is empty, then keeps taking from the queue it took from last
 * while that looks non-empty. With more looping threads than carriers one of them is always there,
 * so a thread started meanwhile, or one woken by the completion thread, waited seconds (6 hot
 * readers on 2 carriers: a new thread ran after 1.3-7.6 s or not within 10 s).
 *
 * <p>So then the thread joins a FIFO of turns and parks, and a platform thread
 * ({@code uringfs-turns}) lets the head out whenever the virtual-thread scheduler has nothing
 * queued ({@code jdk.management.VirtualThreadSchedulerMXBean}), which it looks at each time a
 * thread joins and every {@value #RECHECK_NANOS} ns while turns wait. Unparked from a platform
 * thread, the one let out waits on a submission queue of its own, not on a carrier's. The looping
 * threads beyond the carriers' number thus wait outside the scheduler, and whatever else becomes
 * runnable (a new thread, a woken waiter, an expired sleep) is what a carrier finds at the next
 * give-up (same probe: a new thread beside 2 to 32 hot readers ran after 0.1-7.7 ms). A waiting
 * thread leaves by itself when interrupted, and in any case once it has waited twice as long as
 * the turns ahead of it would take if each ran for a whole backstop period, and at least
 * {@value #MIN_WAIT_LIMIT_NANOS} ns: a flat 1 s limit, shorter than the turn of 256 looping
 * threads on two carriers, sent most of them back through the timer to their carriers' queues,
 * where they held the scheduler's queue non-empty and the turns only added work (JMH hot reads from
 * 256 virtual threads: 5-8% fewer reads/s than without turns, about the same with a 10 s limit).
 * Should {@code jdk.management} be missing from the runtime, the head is let out at once.
 *
 * <p>A thread loops once it gives up its carrier a second time without having parked for I/O in
 * between: one that gives it up now and then between parked reads (a run of page-cache hits amid
 * cold reads, a carrier the OS preempted) does not, and never takes turns (counted in a JVM
 * reading a cold file from 1,024 virtual threads: 7 give-ups in 8 s, 3 of which had waited for a
 * turn about 100 ms before this rule). More threads loop than there are carriers when more
 * distinct looping threads gave up their carriers within this window of {@value #WINDOW_NANOS} ns
 * (a few backstop periods) or the one before; each counts itself once per window, which it keeps
 * in the per-thread state {@link CarrierQuantum} passes in. The counters race benignly when a
 * window turns.
 *
 * <p>Thread safety: the FIFO and the counters are concurrent; a turn changes state by CAS only.
 */
final class CarrierTurns {
    private CarrierTurns() {}

    private static final int CARRIERS = Engine.carriers();
    /** The window in which threads that give up their carriers are counted. */
    private static final long WINDOW_NANOS = 40_000_000L;
    /** While turns wait, how often the releasing thread looks whether the scheduler's queues are empty. */
    private static final long RECHECK_NANOS = 1_000_000L;
    /** The least time a thread waits for its turn before it leaves anyway. */
    private static final long MIN_WAIT_LIMIT_NANOS = 1_000_000_000L;

    private static final AtomicLong window = new AtomicLong(Long.MIN_VALUE);
    private static final AtomicInteger inWindow = new AtomicInteger(), inLastWindow = new AtomicInteger();
    private static final ConcurrentLinkedQueue<Turn> waiting = new ConcurrentLinkedQueue<>();
    /** Turns still WAITING: raised on joining, lowered by whoever ends the wait. */
    private static final AtomicInteger waitingCount = new AtomicInteger();
    private static volatile Thread releaser;

    /** A waiting thread's turn: WAITING until let out by the releasing thread or left by its owner. */
    private static final class Turn extends AtomicInteger {
        static final int WAITING = 0, RELEASED = 1, LEFT = 2;
        final Thread owner = Thread.currentThread();
    }

    /**
     * Gives up the calling virtual thread's carrier at {@code now}. {@code state[1]} is the window
     * the thread last counted itself in ({@link Long#MIN_VALUE} at first), {@code state[2]} how
     * often it gave up its carrier since it last parked for I/O.
     */
    static void giveUp(long[] state, long now) {
        if (state[2] == 0 || looping(state, now) <= CARRIERS) {
            LockSupport.parkNanos(1);
            return;
        }
        Turn mine = new Turn();
        int ahead = waitingCount.getAndIncrement();
        waiting.add(mine);
        wakeReleaser();
        long deadline = now + Math.max(MIN_WAIT_LIMIT_NANOS, 2 * (ahead + 1) * CarrierQuantum.BACKSTOP_NANOS / CARRIERS);
        while (mine.get() == Turn.WAITING) {
            long left = deadline - System.nanoTime();
            if ((left <= 0 || Thread.currentThread().isInterrupted()) && mine.compareAndSet(Turn.WAITING, Turn.LEFT)) {
                waitingCount.decrementAndGet();
                waiting.remove(mine);
                return;
            }
            LockSupport.parkNanos(CarrierTurns.class, Math.max(left, 1));
        }
    }

    /** How many distinct threads gave up their carriers in this window or the one before, the caller included. */
    private static int looping(long[] state, long now) {
        long w = now / WINDOW_NANOS, current = window.get();
        if (w != current && window.compareAndSet(current, w)) {
            int n = inWindow.getAndSet(0);
            inLastWindow.set(w == current + 1 ? n : 0);
        }
        if (state[1] != w) {
            state[1] = w;
            inWindow.incrementAndGet();
        }
        return Math.max(inWindow.get(), inLastWindow.get());
    }

    private static void wakeReleaser() {
        LockSupport.unpark(releaser());
    }

    /** The releasing thread, started the first time threads take turns (or a test asks), and kept. */
    static Thread releaser() {
        Thread r = releaser;
        if (r == null) {
            synchronized (CarrierTurns.class) {
                if ((r = releaser) == null) {
                    releaser = r = Thread.ofPlatform().daemon().name("uringfs-turns").start(CarrierTurns::releaseLoop);
                }
            }
        }
        return r;
    }

    private static void releaseLoop() {
        LongSupplier queued = schedulerQueue();
        while (true) {
            if (waiting.isEmpty()) {
                LockSupport.park(CarrierTurns.class);
            } else if (queued.getAsLong() > 0 || !releaseHead()) {
                LockSupport.parkNanos(CarrierTurns.class, RECHECK_NANOS);
            }
        }
    }

    /** How many virtual threads wait for a carrier; always 0 if the runtime lacks {@code jdk.management}. */
    private static LongSupplier schedulerQueue() {
        try {
            var scheduler = java.lang.management.ManagementFactory.getPlatformMXBean(jdk.management.VirtualThreadSchedulerMXBean.class);
            return scheduler::getQueuedVirtualThreadCount;
        } catch (LinkageError | RuntimeException e) {
            return () -> 0;
        }
    }

    /** Lets out the longest-waiting turn still waiting; false if there is none. */
    private static boolean releaseHead() {
        Turn t;
        while ((t = waiting.poll()) != null) {
            if (t.compareAndSet(Turn.WAITING, Turn.RELEASED)) {
                waitingCount.decrementAndGet();
                LockSupport.unpark(t.owner);
                return true;
            }
        }
        return false;
    }
}
