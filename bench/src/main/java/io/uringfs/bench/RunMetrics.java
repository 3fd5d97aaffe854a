package io.uringfs.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * JMH profiler ({@code -prof io.uringfs.bench.RunMetrics}) adding, per iteration:
 * <ul>
 * <li>{@code cpu.per.op}: process CPU time (all threads, user + system) / operations, in ns;</li>
 * <li>{@code threads.peak}: peak live platform threads during the iteration (virtual threads are
 *     not counted by {@link ThreadMXBean}), and {@code threads.extra}: that peak minus the platform
 *     threads alive before the fork's first iteration with the virtual-thread scheduler started,
 *     i.e. the threads the workload made exist;</li>
 * <li>{@code ticker.p99} and {@code ticker.max}: how late, in microseconds, an unrelated virtual
 *     thread that sleeps 1 ms in a loop wakes up. A tick still pending when the iteration ends counts
 *     with its lateness so far, so a ticker starved for the whole iteration still shows.</li>
 * </ul>
 * The ticker runs in every benchmark; the report shows it for the virtual-thread workloads.
 */
public final class RunMetrics implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Reused by every iteration's ticker, so the profiler adds no allocation to what -prof gc sees. */
    private final long[] samples = new long[1 << 20];
    private int baselineThreads = -1;
    private long cpuStart;
    private Ticker ticker;

    @Override
    public String getDescription() {
        return "process CPU time per op, peak platform threads, 1 ms virtual-thread ticker lateness";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (baselineThreads < 0) baselineThreads = baseline();
        ticker = new Ticker(samples);
        ticker.start();
        threads.resetPeakThreadCount();
        cpuStart = os.getProcessCpuTime();
    }

    @Override
    public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                 IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuStart;
        int peak = threads.getPeakThreadCount();
        int n = ticker.stop();
        long ops = Math.max(1, result.getMetadata().getAllOps());
        return List.of(
                new ScalarResult("cpu.per.op", (double) cpu / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("threads.peak", peak, "threads", AggregationPolicy.MAX),
                new ScalarResult("threads.extra", peak - baselineThreads, "threads", AggregationPolicy.MAX),
                new ScalarResult("ticker.p99", Ticker.percentile(samples, n, 0.99) / 1e3, "us", AggregationPolicy.AVG),
                new ScalarResult("ticker.max", n == 0 ? 0 : samples[n - 1] / 1e3, "us", AggregationPolicy.MAX));
    }

    /**
     * Platform threads alive once the virtual-thread scheduler is fully started (every carrier up
     * to its parallelism, and its timer thread): what any virtual-thread program has, so "extra"
     * counts only the threads the file system (or the JDK's blocking compensation) adds.
     */
    private int baseline() {
        int carriers = Runtime.getRuntime().availableProcessors();
        var started = new java.util.concurrent.CountDownLatch(carriers);
        Thread[] spin = new Thread[carriers];
        for (int i = 0; i < carriers; i++) {
            spin[i] = Thread.ofVirtual().start(() -> {
                started.countDown();
                long end = System.nanoTime() + 20_000_000L;
                while (System.nanoTime() < end) Thread.onSpinWait();
                LockSupport.parkNanos(1_000_000L);
            });
        }
        try {
            started.await(1, TimeUnit.SECONDS);
            for (Thread t : spin) t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return threads.getThreadCount();
    }
}
