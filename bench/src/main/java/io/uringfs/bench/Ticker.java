package io.uringfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A virtual thread that sleeps 1 ms in a loop and records how late each wake-up is, into a
 * preallocated array (no allocation per tick, so it adds nothing to what {@code -prof gc} sees).
 * {@link RunMetrics} runs one beside every JMH iteration.
 *
 * <p>Run on its own ({@code java -cp benchmarks.jar io.uringfs.bench.Ticker SECONDS OUT}), it is
 * the same ticker in a JVM that does nothing else: {@code bench/run} starts it beside fio's
 * depth-128 jobs, so that the report can set the in-process ticker against what the host does to
 * any thread while its CPUs are busy with the same kind of reads, without a JVM doing them.
 */
public final class Ticker implements Runnable {
    private static final long TICK_NANOS = 1_000_000L;

    private final long[] lateness;
    private volatile int count;
    private volatile long sleepingSince;
    private volatile boolean stop;
    private Thread thread;

    Ticker(long[] lateness) {
        this.lateness = lateness;
    }

    void start() {
        thread = Thread.ofVirtual().name("bench-ticker").start(this);
    }

    @Override
    public void run() {
        int n = 0;
        while (!stop && n < lateness.length - 1) {
            long t0 = System.nanoTime();
            sleepingSince = t0;
            LockSupport.parkNanos(TICK_NANOS);
            if (stop) break;
            lateness[n] = Math.max(0, System.nanoTime() - t0 - TICK_NANOS);
            count = ++n;
        }
    }

    /**
     * Stops the ticker; returns how many samples it left in the array, sorted, the pending tick
     * included with its lateness so far (so a ticker starved for the whole time still shows).
     */
    int stop() {
        long now = System.nanoTime();
        long pendingLate = now - sleepingSince - TICK_NANOS;
        stop = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int n = count;
        if (pendingLate > 0) lateness[n++] = pendingLate;
        Arrays.sort(lateness, 0, n);
        return n;
    }

    /** Nearest-rank percentile of the first {@code n} values of {@code sorted}. */
    static double percentile(long[] sorted, int n, double p) {
        if (n == 0) return 0;
        int rank = (int) Math.ceil(p * n);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Ticks for SECONDS, then writes {@code ticks=N p50_us=.. p99_us=.. max_us=..} to OUT. */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: Ticker SECONDS OUT");
            System.exit(2);
        }
        double seconds = Double.parseDouble(args[0]);
        long[] samples = new long[(int) (seconds * 2_000) + 2];
        Ticker ticker = new Ticker(samples);
        ticker.start();
        Thread.sleep((long) (seconds * 1_000));
        int n = ticker.stop();
        Files.writeString(Path.of(args[1]), String.format(Locale.ROOT, "ticks=%d p50_us=%.0f p99_us=%.0f max_us=%.0f%n",
                n, percentile(samples, n, 0.5) / 1e3, percentile(samples, n, 0.99) / 1e3, n == 0 ? 0.0 : samples[n - 1] / 1e3));
    }
}
