package io.uringfs.channel;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * An executor of reused virtual threads: where async channel completions are settled and, for
 * channels opened without an executor, where their handlers run.
 *
 * <p>Why not a {@code ThreadPoolExecutor} over virtual threads: its idle workers wait with a
 * timeout and its hand-off queue allocates a node per wait, which measured about 90 bytes per
 * task (a timed park of a virtual thread schedules a task object of its own). Here an idle worker
 * parks without a timeout in a slot of a fixed array; {@link #execute} takes the first idle worker
 * with one atomic exchange, stores the task in it and unparks it, so a hand-off allocates nothing
 * of ours. With no idle worker a new virtual thread starts, so a task never waits behind a slow
 * one. A worker that finds every slot taken when it goes idle ends; at most {@code slots} idle
 * workers are kept (parked virtual threads: a little heap each, no platform thread).
 *
 * <p>A task that throws is reported to the thread's uncaught-exception handler and the worker
 * carries on; a task's interrupt status is cleared before the next task.
 *
 * <p>Thread safety: {@link #execute} may be called from any thread.
 */
final class VirtualWorkers implements Executor {
    static final VirtualWorkers SHARED = new VirtualWorkers("uringfs-async-", 64);

    private final AtomicReferenceArray<Worker> idle;
    private final ThreadFactory factory;

    VirtualWorkers(String namePrefix, int slots) {
        this.idle = new AtomicReferenceArray<>(slots);
        this.factory = Thread.ofVirtual().name(namePrefix, 0).factory();
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task);
        for (int i = 0, n = idle.length(); i < n; i++) {
            if (idle.getPlain(i) != null) {
                Worker w = idle.getAndSet(i, null);
                if (w != null) {
                    w.task = task;
                    LockSupport.unpark(w.thread);
                    return;
                }
            }
        }
        factory.newThread(new Worker(task)).start();
    }

    /** Idle workers now parked, for tests. */
    int idleCount() {
        int c = 0;
        for (int i = 0; i < idle.length(); i++) if (idle.get(i) != null) c++;
        return c;
    }

    private final class Worker implements Runnable {
        private final Runnable first;
        /** The next task; written by {@link #execute} only while this worker is idle. */
        private volatile Runnable task;
        private volatile Thread thread;

        Worker(Runnable first) {
            this.first = first;
        }

        @Override
        public void run() {
            Thread me = Thread.currentThread();
            thread = me;
            Runnable t = first;
            while (true) {
                try {
                    t.run();
                } catch (Throwable e) {
                    me.getUncaughtExceptionHandler().uncaughtException(me, e);
                }
                Thread.interrupted();
                if (!goIdle()) return;
                while ((t = task) == null) LockSupport.park(this);
                task = null;
            }
        }

        private boolean goIdle() {
            for (int i = 0, n = idle.length(); i < n; i++) {
                if (idle.getPlain(i) == null && idle.compareAndSet(i, null, this)) return true;
            }
            return false;
        }
    }
}
