package io.uringfs.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For tests that count platform threads: starts what the JDK itself starts for virtual threads
 * ahead of a baseline, so that it does not count as growth, and names what appeared since.
 */
public final class PlatformThreads {
    private PlatformThreads() {}

    /**
     * Starts every carrier of the virtual-thread scheduler (a virtual thread per carrier, each
     * spinning until all run at once: one after another, they could all run on one carrier) and
     * the timer thread behind timed parks. To be called right before a baseline: the scheduler
     * retires a carrier idle for 30 s, so a warm-up before other tests may not hold any more.
     */
    public static void warmUpVirtualThreadScheduler() throws InterruptedException {
        int carriers = carriers();
        AtomicInteger running = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < carriers; i++) {
            spinners.add(Thread.ofVirtual().start(() -> {
                running.incrementAndGet();
                while (running.get() < carriers && System.nanoTime() < deadline) Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : spinners) t.join();
        if (running.get() < carriers) throw new AssertionError("only " + running.get() + " of " + carriers + " carriers started");
    }

    /** How many carriers the virtual-thread scheduler has: its parallelism, by default one per CPU. */
    public static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }

    /** The live platform threads. */
    public static Set<Thread> live() {
        return Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /** Names of the live platform threads not in {@code before}: for a failure message. */
    public static List<String> startedSince(Set<Thread> before) {
        return live().stream().filter(t -> !before.contains(t)).map(Thread::getName).sorted().toList();
    }
}
