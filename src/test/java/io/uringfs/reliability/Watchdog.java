package io.uringfs.reliability;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.uringfs.engine.Engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Detects a hang in a load test: each worker reports progress after every operation; if one
 * makes none for {@code stallNanos} (while not finished), the watchdog writes a dump of every
 * thread, virtual threads included ({@link HotSpotDiagnosticMXBean#dumpThreads}), and builds a
 * report with the stalled workers' stacks and the engine's in-flight ops, so that a hang seen once
 * in CI can be diagnosed from its log. Per worker, not global: one thread waiting for ever for a
 * CQE while the others go on is exactly the hang to catch.
 *
 * <p>Thread safety: {@link #progress} is called by the workers, the rest by the test's thread.
 */
final class Watchdog implements AutoCloseable {
    private static final long DONE = Long.MAX_VALUE;

    private final List<Thread> workers;
    private final AtomicLongArray lastProgress;
    private final long stallNanos;
    private final Engine engine;
    private final Path dumpDir;
    private final CountDownLatch hung = new CountDownLatch(1);
    private final Thread thread;
    private volatile String report;

    /** Starts watching; every worker counts as having just made progress. */
    Watchdog(List<Thread> workers, long stallNanos, Engine engine, Path dumpDir) {
        this.workers = workers;
        this.stallNanos = stallNanos;
        this.engine = engine;
        this.dumpDir = dumpDir;
        this.lastProgress = new AtomicLongArray(workers.size());
        long now = System.nanoTime();
        for (int i = 0; i < workers.size(); i++) lastProgress.set(i, now);
        this.thread = Thread.ofPlatform().daemon().name("soak-watchdog").start(this::watch);
    }

    void progress(int worker) {
        lastProgress.setOpaque(worker, System.nanoTime());
    }

    void done(int worker) {
        lastProgress.setOpaque(worker, DONE);
    }

    /** Waits up to {@code timeout}; true if a hang was detected (then see {@link #report()}). */
    boolean awaitHang(long timeout, TimeUnit unit) throws InterruptedException {
        return hung.await(timeout, unit);
    }

    String report() {
        return report;
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(Math.min(1000, Math.max(1, stallNanos / 4_000_000)));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            StringBuilder stalled = new StringBuilder();
            int n = 0;
            for (int i = 0; i < workers.size(); i++) {
                long last = lastProgress.getOpaque(i);
                if (last != DONE && now - last > stallNanos) {
                    Thread t = workers.get(i);
                    if (n++ < 5) {
                        stalled.append("\nworker ").append(i).append(' ').append(t).append(" state ").append(t.getState())
                               .append(", no progress for ").append(TimeUnit.NANOSECONDS.toMillis(now - last)).append(" ms:");
                        for (StackTraceElement e : t.getStackTrace()) stalled.append("\n    at ").append(e);
                    }
                }
            }
            if (n > 0) {
                report = n + " worker(s) made no progress for " + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms" + stalled
                        + "\nengine in flight:\n  " + (engine == null ? "(no engine)" : String.join("\n  ", engine.describeInFlight()))
                        + "\ncompletion thread:" + stack(engine == null ? null : engine.completionThread())
                        + "\nall threads (virtual ones included): " + dumpThreads();
                System.out.println("SOAK HANG\n" + report);
                hung.countDown();
                return;
            }
        }
    }

    private static String stack(Thread t) {
        if (t == null) return " -";
        StringBuilder b = new StringBuilder(" ").append(t).append(' ').append(t.getState());
        for (StackTraceElement e : t.getStackTrace()) b.append("\n    at ").append(e);
        return b.toString();
    }

    private String dumpThreads() {
        try {
            Path file = dumpDir.resolve("soak-hang-threads-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() + ".txt");
            Files.createDirectories(dumpDir);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            return file.toAbsolutePath().toString();
        } catch (IOException | RuntimeException e) {
            return "thread dump failed: " + e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}
