package io.uringfs.channel;

import io.uringfs.engine.PlatformThreads;
import io.uringfs.ring.Syscalls;
import io.uringfs.reliability.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Virtual threads blocked in reads on cold data park instead of pinning carriers or adding
 * platform threads (the default provider adds up to 256 for O_DIRECT and pins carriers when
 * buffered), and an unrelated sleeping virtual thread keeps waking on time; virtual threads whose
 * reads never park (page-cache hits) give up their carriers now and then.
 */
class VirtualThreadFriendlinessTest {
    private static final int FILE_SIZE = 64 << 20, POSIX_FADV_DONTNEED = 4, READERS = 1000;

    @TempDir
    Path dir;

    private static Path bigFile(Path dir) throws Exception {
        Path f = dir.resolve("big");
        try (FileChannel ch = FileChannel.open(f, CREATE, WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            for (int i = 0; i < FILE_SIZE / b.capacity(); i++) {
                b.clear();
                while (b.hasRemaining()) b.putLong(i);
                b.flip();
                ch.write(b);
            }
            ch.force(true);
        }
        return f;
    }

    private static void dropCache(FileChannel ch) {
        assertEquals(0, Syscalls.fadvise(((UringFileChannel) ch).fd(), 0, 0, POSIX_FADV_DONTNEED));
    }

    @Test
    void tenThousandDirectReadersAddNoPlatformThreads() throws Exception {
        Path f = bigFile(dir);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (FileChannel ch = TestIo.open(f, Set.of(READ, TestIo.DIRECT))) {
            dropCache(ch);
            // carriers and the sampler exist before the baseline: the readers must add nothing
            PlatformThreads.warmUpVirtualThreadScheduler();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger maxThreads = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!done.get()) {
                    maxThreads.accumulateAndGet(mx.getThreadCount(), Math::max);
                    try { Thread.sleep(2); } catch (InterruptedException e) { return; }
                }
            });
            Thread.sleep(20);
            var live = PlatformThreads.live();
            int before = mx.getThreadCount();
            maxThreads.set(before);
            AtomicInteger ok = new AtomicInteger();
            List<Thread> ts = new ArrayList<>(10_000);
            for (int i = 0; i < 10_000; i++) {
                long off = (long) (i % (FILE_SIZE / 4096)) * 4096;
                ts.add(Thread.ofVirtual().start(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(8192).alignedSlice(4096).limit(4096);
                    try {
                        if (ch.read(b, off) == 4096 && b.getLong(0) == off / (1 << 20)) ok.incrementAndGet();
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }));
            }
            for (Thread t : ts) t.join();
            done.set(true);
            sampler.join();
            assertEquals(10_000, ok.get());
            // the sampler thread itself is one; allow one more for JVM housekeeping
            int growth = maxThreads.get() - before;
            System.out.println("platform threads before " + before + ", max during 10k O_DIRECT readers " + maxThreads.get());
            assertTrue(growth <= 2, "platform threads grew by " + growth + "; new and still running: "
                    + PlatformThreads.startedSince(live));
        }
    }

    @Test
    void tickerKeepsWakingDuringColdDirectRandomReads() throws Exception {
        ticker(dir, true, 50, 100, true);
    }

    /**
     * Buffered: with the page cache dropped every 5 ms, a mix of misses (parked on the ring) and
     * page-cache hits (served inline by the RWF_NOWAIT fast path, which yields now and then).
     */
    @Test
    void tickerKeepsWakingDuringColdBufferedRandomReads() throws Exception {
        ticker(dir, false, 50, 100, true);
    }

    /**
     * Both runs again in a JVM confined to one CPU, where virtual threads have a single carrier:
     * there the scheduler served uringfs' woken readers and never the ticker (1-4 wake-ups in 2 s)
     * until the completion thread learned to pause (see Engine). Skipped without taskset.
     */
    @Test
    void tickerKeepsWakingOnASingleCpu() throws Exception {
        Path taskset = Path.of("/usr/bin/taskset");
        if (!Files.isExecutable(taskset)) abort("taskset (util-linux) not found at " + taskset);
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.withTestClassPath(List.of(taskset.toString(), "--cpu-list", "0"), OnOneCpu.class, dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = child.waitFor(120, TimeUnit.SECONDS);
        if (!exited) child.destroyForcibly().waitFor();
        String out = Files.readString(log);
        System.out.print(out);
        assertTrue(exited, () -> "child still running after 120 s:\n" + out);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("child JVM: 1 CPU"), out);
    }

    /** The child of {@link #tickerKeepsWakingOnASingleCpu}: exits non-zero if a run fails. */
    public static final class OnOneCpu {
        public static void main(String[] args) throws Exception {
            System.out.println("child JVM: " + Runtime.getRuntime().availableProcessors() + " CPU");
            // A first run unchecked: while the JIT compilers take their turns on the one CPU the
            // ticker is late anyway (p99 12-75 ms in a fresh JVM's first 2 s, 460 ms with two busy
            // loops on the machine; 1-20 ms after it).
            ticker(Path.of(args[0]), true, 0, 0, false);
            withRetries(() -> ticker(Path.of(args[0]), true, 1000, 20, true));
            withRetries(() -> ticker(Path.of(args[0]), false, 1000, 20, true));
        }

        /**
         * Up to three tries, each to tick 20 times at least with a p99 under a second. On this VM
         * the one-CPU runs turned erratic in session 16, on the code of the session before as
         * well: most tries ticked 400-1,000 times at a p99 of 7-80 ms, others 3-90 times at
         * 0.1-2 s, with as few reads (15,000-60,000 instead of 115,000-290,000); touching 12 GiB of
         * memory first made them pass for a while, so the host, not the scheduler, seems to stall
         * the one CPU then. What the test guards against is starvation: without the completion
         * thread's pause the tries ticked 1-4 times in 2 s (session 13), or 2, 2 and 24 times at a
         * p99 of 1.6-2.0 s (session 16), which these bounds still fail.
         */
        private static void withRetries(Run run) throws Exception {
            for (int attempt = 1; ; attempt++) {
                try {
                    run.run();
                    return;
                } catch (AssertionError e) {
                    if (attempt == 3) throw e;
                    System.out.println("try " + attempt + " failed: " + e.getMessage());
                }
            }
        }

        private interface Run {
            void run() throws Exception;
        }
    }

    /**
     * Virtual threads looping on page-cache reads never park, and the JDK does not preempt them:
     * as many of them as there are carriers hold every carrier. uringfs makes such a thread give
     * up its carrier now and then (see CarrierQuantum): after 10 ms in any case, so a thread
     * started meanwhile gets to run, and after 100 µs while a thread whose ring op completed
     * waits, so an fsync's waiter is not held up for long. Without that, neither would ever run
     * here, as beside the default provider's readers. (With more hot readers than carriers, JDK
     * 25's scheduler keeps running the readers it re-queues, and others may wait seconds: see
     * README, known limitations.)
     */
    @Test
    void hotReadersLetOtherVirtualThreadsRun() throws Exception {
        Path f = dir.resolve("hot");
        Files.write(f, new byte[16 * 4096]);
        int carriers = PlatformThreads.carriers();
        try (FileChannel ch = TestIo.open(f, Set.of(READ, WRITE))) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger running = new AtomicInteger();
            AtomicLong reads = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < carriers; i++) {
                long off = (i % 16) * 4096L;
                readers.add(Thread.ofVirtual().start(() -> {
                    running.incrementAndGet();
                    ByteBuffer b = ByteBuffer.allocateDirect(4096);
                    try {
                        while (!stop.get()) {
                            b.clear();
                            if (ch.read(b, off) != 4096) throw new AssertionError("short read at " + off);
                            reads.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((running.get() < carriers || reads.get() < 10_000) && failure.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertNull(failure.get(), () -> "a reader failed: " + failure.get());
                assertTrue(running.get() == carriers && reads.get() >= 10_000, "the hot readers did not get going");

                CountDownLatch ran = new CountDownLatch(1);
                long t0 = System.nanoTime();
                Thread.ofVirtual().start(ran::countDown);
                boolean started = ran.await(10, TimeUnit.SECONDS);
                long startedAfter = System.nanoTime() - t0;

                AtomicReference<Throwable> forceFailure = new AtomicReference<>();
                long t1 = System.nanoTime();
                Thread fsync = Thread.ofVirtual().start(() -> {
                    try {
                        ch.force(true);
                    } catch (Throwable e) {
                        forceFailure.set(e);
                    }
                });
                boolean synced = fsync.join(Duration.ofSeconds(10));
                long syncedAfter = System.nanoTime() - t1;
                System.out.printf("beside %d hot readers on %d carriers: a new thread ran after %.2f ms, an fsync returned after %.2f ms%n",
                        readers.size(), carriers, startedAfter / 1e6, syncedAfter / 1e6);
                assertTrue(started, "a virtual thread started beside the hot readers did not run in 10 s");
                assertTrue(synced, "an fsync beside the hot readers did not return in 10 s");
                assertNull(forceFailure.get());
            } finally {
                stop.set(true);
                for (Thread t : readers) assertTrue(t.join(Duration.ofSeconds(30)), "a hot reader did not stop");
            }
            assertNull(failure.get(), () -> "a reader failed: " + failure.get());
        }
    }

    /**
     * The common shape of a server's virtual threads: a page-cache read, then a park uringfs cannot
     * see (here a 1 ms timed park; a socket, a lock, a queue alike). uringfs only knows the time
     * since its own last park or give-up, so to the carrier quantum these threads look as if they
     * had run all along; what it does to them must stay cheap. Compared with the default provider's
     * run of the same: a design that made such threads wait for turns (notes, session 15) took 200
     * of them to 36-37k iterations in 2 s with p99 225-231 ms per iteration, where the default
     * provider and uringfs as shipped did 260-330k with p99 3-6 ms (on one CPU 200k and 120-275k,
     * p99 8.4-8.5 and 6.4-12.3 ms).
     */
    @Test
    void hotReadsBetweenOtherParksAreNotHeldBack() throws Exception {
        Path f = dir.resolve("hot-mixed");
        Files.write(f, new byte[256 * 4096]);
        long[] plain, uring;
        try (FileChannel ch = FileChannel.open(f, READ)) {
            plain = hotReadsBetweenParks(ch);
        }
        try (FileChannel ch = TestIo.open(f, Set.of(READ))) {
            uring = hotReadsBetweenParks(ch);
        }
        System.out.printf("200 virtual threads, each a hot 4 KiB read and a 1 ms park, 2 s: default provider %d iterations, p99 %.2f ms;"
                + " uringfs %d, p99 %.2f ms%n", plain[0], plain[1] / 1e6, uring[0], uring[1] / 1e6);
        assertTrue(uring[0] >= plain[0] / 3, "uringfs' threads did " + uring[0] + " iterations, the default provider's " + plain[0]);
        assertTrue(uring[1] < Math.max(4 * plain[1], 25_000_000L),
                "p99 of an iteration: uringfs " + uring[1] / 1e6 + " ms, the default provider " + plain[1] / 1e6 + " ms");
    }

    /** 200 virtual threads loop on a 4 KiB read at random in the first MiB of ch and a 1 ms park, for 2 s: {iterations, p99 ns}. */
    private static long[] hotReadsBetweenParks(FileChannel ch) throws Exception {
        int threads = 200;
        long[][] took = new long[threads][4_000];
        int[] count = new int[threads];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            workers.add(Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                SplittableRandom random = new SplittableRandom(id);
                try {
                    while (!stop.get() && count[id] < took[id].length) {
                        long t0 = System.nanoTime();
                        b.clear();
                        if (ch.read(b, random.nextInt(256) * 4096L) != 4096) throw new AssertionError("short read");
                        LockSupport.parkNanos(1_000_000);
                        took[id][count[id]++] = System.nanoTime() - t0;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        Thread.sleep(2_000);
        stop.set(true);
        for (Thread t : workers) assertTrue(t.join(Duration.ofSeconds(30)), "a worker did not stop");
        assertNull(failure.get(), () -> "a worker failed: " + failure.get());
        long[] all = new long[Arrays.stream(count).sum()];
        int k = 0;
        for (int i = 0; i < threads; i++) {
            System.arraycopy(took[i], 0, all, k, count[i]);
            k += count[i];
        }
        assertTrue(all.length > 0, "no iteration completed");
        Arrays.sort(all);
        return new long[] {all.length, all[(int) (all.length * 0.99)]};
    }

    private static void ticker(Path dir, boolean direct, long maxP99Millis, int minTicks, boolean checkTicker) throws Exception {
        Path f = bigFile(dir);
        {
            Set<java.nio.file.OpenOption> opts = direct ? Set.of(READ, TestIo.DIRECT) : Set.of(READ);
            try (FileChannel ch = TestIo.open(f, opts)) {
                dropCache(ch);
                AtomicBoolean stop = new AtomicBoolean();
                long[] lateness = new long[100_000];
                AtomicInteger ticks = new AtomicInteger();
                Thread ticker = Thread.ofVirtual().start(() -> {
                    while (!stop.get() && ticks.get() < lateness.length) {
                        long t0 = System.nanoTime();
                        try { Thread.sleep(1); } catch (InterruptedException e) { return; }
                        lateness[ticks.getAndIncrement()] = System.nanoTime() - t0 - 1_000_000;
                    }
                });
                // keep the page cache cold for the whole run, not only at the start
                Thread dropper = Thread.ofPlatform().daemon().start(() -> {
                    while (!stop.get()) {
                        dropCache(ch);
                        try { Thread.sleep(5); } catch (InterruptedException e) { return; }
                    }
                });
                AtomicInteger reads = new AtomicInteger();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> readers = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    long seed = i;
                    readers.add(Thread.ofVirtual().start(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        ByteBuffer b = ByteBuffer.allocateDirect(8192).alignedSlice(4096).limit(4096);
                        while (!stop.get()) {
                            b.clear().limit(4096); // clear() alone would read the whole aligned slice, up to 8 KiB
                            long off = rnd.nextInt(FILE_SIZE / 4096) * 4096L;
                            try {
                                int n = ch.read(b, off);
                                // each MiB of the file holds its index (bigFile)
                                if (n != 4096 || b.getLong(0) != off >> 20 || b.getLong(4088) != off >> 20) {
                                    throw new AssertionError("read at " + off + " returned " + n + ", first long " + b.getLong(0));
                                }
                                reads.incrementAndGet();
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                                return;
                            }
                        }
                    }));
                }
                // 2 s, and on until the readers have done READERS reads, which a disk shared with other
                // work can take longer than 2 s to serve: the ticker is measured while they really read.
                long started = System.nanoTime(), deadline = started + TimeUnit.SECONDS.toNanos(60);
                Thread.sleep(2000);
                while (reads.get() < READERS && failure.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
                stop.set(true);
                for (Thread t : readers) t.join();
                ticker.join();
                dropper.join();
                long done = System.nanoTime();
                long[] l = Arrays.copyOf(lateness, ticks.get());
                Arrays.sort(l);
                long p99 = l.length == 0 ? Long.MAX_VALUE : l[Math.min(l.length - 1, (int) (l.length * 0.99))];
                System.out.printf("ticker during " + READERS + " cold 4 KiB random readers (%s): %d ticks, p99 lateness %.2f ms, %d reads%n",
                        direct ? "O_DIRECT" : "buffered", l.length, p99 / 1e6, reads.get());
                assertNull(failure.get(), () -> "a reader failed: " + failure.get());
                assertTrue(reads.get() >= READERS, "only " + reads.get() + " reads by " + READERS + " readers in 60 s");
                if (!checkTicker) return;
                assertTrue(l.length > minTicks, "ticker starved: " + l.length + " ticks in " + (done - started) / 1_000_000 + " ms");
                assertTrue(p99 < maxP99Millis * 1_000_000L, "p99 lateness " + p99 / 1e6 + " ms");
            }
        }
    }
}
