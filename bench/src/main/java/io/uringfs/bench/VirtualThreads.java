package io.uringfs.bench;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one benchmark invocation as N virtual threads and waits for all of them: the shape of
 * every multi-threaded workload here (one JMH thread, N virtual threads doing a fixed number of
 * ops each). The per-thread bodies are built once per trial, so an invocation allocates only the
 * threads themselves, the same for both file systems.
 */
public final class VirtualThreads {
    /** A worker's body; {@code id} is 0..n-1. */
    public interface Body {
        void run(int id) throws Exception;
    }

    private final Runnable[] tasks;
    private final Thread[] threads;
    private final Thread.Builder builder = Thread.ofVirtual().name("bench-vt");
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public VirtualThreads(int n, Body body) {
        tasks = new Runnable[n];
        threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            tasks[i] = () -> {
                try {
                    body.run(id);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
        }
    }

    /** Starts every worker, joins them, and rethrows the first failure. */
    public void run() throws Exception {
        for (int i = 0; i < tasks.length; i++) threads[i] = builder.start(tasks[i]);
        for (Thread t : threads) t.join();
        rethrow(failure);
    }

    /** Rethrows (and clears) the first failure a worker recorded, if any; shared with {@link ContinuousWorkers}. */
    static void rethrow(AtomicReference<Throwable> failure) throws Exception {
        Throwable t = failure.getAndSet(null);
        if (t instanceof Exception e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }
}
