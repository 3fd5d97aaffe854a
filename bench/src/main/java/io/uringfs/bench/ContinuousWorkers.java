package io.uringfs.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * N virtual threads that repeat one operation for a whole JMH iteration, and a benchmark
 * invocation that waits until they have completed a given number more of it.
 *
 * <p>The workers run without a break from the iteration's set-up to its tear-down, so every
 * invocation measures N threads in steady state: none is started, joined or left idle at an
 * invocation's edges. Starting N threads per invocation instead measures the harness as well: the
 * JDK queues 1,024 new threads at once, and an unrelated virtual thread woken behind them waits for
 * all of them (a 1 ms ticker 3.3-4.2 ms late in a probe of that pattern, 0.96-1.16 ms with the same
 * readers started once), and the last threads of each batch run with fewer beside them.
 *
 * <p>Invocations are back to back: ops completed while the JMH thread wakes up count towards the
 * next one, so the score is the workers' rate. One instance serves a trial: {@link #start} and
 * {@link #stop} bracket each iteration. Thread safety: {@link #start}, {@link #await} and
 * {@link #stop} are called by the one JMH thread; the workers only count and, at the goal, wake it.
 */
public final class ContinuousWorkers {
    /** One operation of worker {@code id} (0..n-1). */
    public interface Body {
        void op(int id) throws Exception;
    }

    private final Body body;
    private final Thread[] threads;
    private final Thread.Builder builder = Thread.ofVirtual().name("bench-vt");
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Completed-op count at which the waiting JMH thread is woken; none before its first wait. */
    private volatile long goal;
    /** Ops the invocations of this iteration have waited for so far (JMH thread only). */
    private long awaited;
    private volatile Thread waiter;
    private volatile boolean running;

    public ContinuousWorkers(int n, Body body) {
        this.body = body;
        this.threads = new Thread[n];
    }

    /** Starts the workers (at an iteration's set-up, before its first invocation). */
    public void start() {
        done.set(0);
        awaited = 0;
        goal = Long.MAX_VALUE;
        running = true;
        for (int i = 0; i < threads.length; i++) {
            int id = i;
            threads[i] = builder.start(() -> loop(id));
        }
    }

    private void loop(int id) {
        try {
            while (running) {
                body.op(id);
                if (done.incrementAndGet() == goal) LockSupport.unpark(waiter);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            running = false;
            LockSupport.unpark(waiter);
        }
    }

    /** Waits until the workers have completed {@code ops} more operations than at the last return. */
    public void await(long ops) throws Exception {
        waiter = Thread.currentThread();
        long target = awaited += ops;
        goal = target; // before the check below, so the op reaching it sees it and wakes this thread
        while (done.get() < target && running) LockSupport.park(this);
        VirtualThreads.rethrow(failure);
    }

    /** Stops and joins the workers (at the iteration's tear-down), and rethrows a worker's failure. */
    public void stop() throws Exception {
        running = false;
        for (Thread t : threads) {
            if (t != null) t.join();
        }
        VirtualThreads.rethrow(failure);
    }
}
