package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.RingSetupException;
import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine's contract: every op completes exactly once with the right result, under load,
 * backpressure, interrupts and shutdown, without extra platform threads or leaked descriptors.
 */
class EngineTest {
    private static final int FILE_SIZE = 16 << 20;
    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    @TempDir static Path dir;
    private static Path data;
    private static int fd;

    /** A file whose every 8-byte word holds its own offset, so any read can be checked. */
    @BeforeAll
    static void createFile() throws IOException {
        data = dir.resolve("data");
        ByteBuffer b = ByteBuffer.allocate(FILE_SIZE).order(ByteOrder.nativeOrder());
        for (long o = 0; o < FILE_SIZE; o += 8) b.putLong(o);
        Files.write(data, b.array());
        try (Arena a = Arena.ofConfined()) {
            fd = Syscalls.openat(-100, a.allocateFrom(data.toString()), O_RDONLY | O_CLOEXEC, 0);
        }
        assertTrue(fd >= 0, "open: " + fd);
    }

    @AfterAll
    static void closeFile() {
        Syscalls.close(fd);
    }

    /**
     * An engine whose ring limit never gives way to stalled ops: these tests stand in blocked pipe
     * reads for slow device ops, which must stay queued however long the pipe stays empty.
     */
    private static Engine start(int sqEntries) throws UringUnavailableException {
        return Engine.start(EngineConfig.defaults().withSqEntries(sqEntries).withStallNanos(TimeUnit.HOURS.toNanos(1)));
    }

    /** Reads 4 KiB at a random aligned offset through the ring and checks every word. */
    private static boolean checkedRead(Engine e, MemorySegment buf, SplittableRandom rnd) {
        long off = rnd.nextInt(FILE_SIZE / 4096) * 4096L;
        int r = e.submitAndAwait(e.acquire().prepRead(fd, buf.address(), 4096, off));
        if (r != 4096) return false;
        for (int i = 0; i < 4096; i += 8) {
            if (buf.get(ValueLayout.JAVA_LONG, i) != off + i) return false;
        }
        return true;
    }

    @Test
    void twoHundredThousandOpsFromTenThousandVirtualThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Engine e = start(256)) {
            long submittedBefore = e.stats().submitted();
            PlatformThreads.warmUpVirtualThreadScheduler();
            var live = PlatformThreads.live();
            int platformBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();
            AtomicInteger ok = new AtomicInteger(), bad = new AtomicInteger();
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 10_000; t++) {
                    long seed = t;
                    ex.submit(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment buf = a.allocate(4096, 4096);
                            for (int i = 0; i < 20; i++) {
                                boolean good = i % 2 == 0 ? e.nop() == 0 : checkedRead(e, buf, rnd);
                                (good ? ok : bad).incrementAndGet();
                            }
                        }
                    });
                }
            }
            int peakGrowth = threads.getPeakThreadCount() - platformBefore;
            assertEquals(0, bad.get(), "ops with a wrong result");
            assertEquals(200_000, ok.get());
            assertEquals(200_000, e.stats().submitted() - submittedBefore);
            assertEquals(e.stats().submitted(), e.stats().completed(), "every submitted op completed");
            assertEquals(0, e.stats().strayCompletions(), "no op completed twice");
            assertEquals(0, e.inFlight());
            assertTrue(peakGrowth <= 2, "platform threads grew by " + peakGrowth + "; new and still running: "
                    + PlatformThreads.startedSince(live));
            System.out.printf("200k ops: platform thread growth %d, %s%n", peakGrowth, e.stats());
        }
    }

    @Test
    void ringOfEightServesFiveThousandConcurrentOps() throws Exception {
        try (Engine e = start(8); Pipe p = Pipe.open(); Arena pipeBufs = Arena.ofShared()) {
            assertEquals(14, e.ringLimit(), "CQ is twice the SQ, 2 entries kept for cancels");
            assertEquals(64, e.slotCount());
            // More pipe reads than there are slots: they stay in flight until the pipe gets data,
            // so some of them, and then file reads, must wait for a slot however fast the disk is.
            int blockers = e.slotCount() + 4;
            AtomicInteger pipeReads = new AtomicInteger();
            AtomicInteger ok = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < blockers; i++) {
                    MemorySegment buf = pipeBufs.allocate(8);
                    ex.submit(() -> {
                        if (e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1)) == 8) {
                            pipeReads.incrementAndGet();
                        }
                    });
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (e.stats().slotWaits() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
                assertTrue(e.stats().slotWaits() > 0, "pipe reads beyond the slot count must wait: " + e.stats());
                for (int t = 0; t < 5_000; t++) {
                    long seed = t;
                    ex.submit(() -> {
                        go.await();
                        try (Arena a = Arena.ofConfined()) {
                            if (checkedRead(e, a.allocate(4096, 8), new SplittableRandom(seed))) ok.incrementAndGet();
                        }
                        return null;
                    });
                }
                go.countDown();
                // One write under PIPE_BUF is atomic: each pipe read then takes exactly its 8 bytes.
                MemorySegment data = pipeBufs.allocate(8L * blockers);
                assertEquals(8L * blockers, Syscalls.write(p.writeFd(), data, 8L * blockers));
            }
            assertEquals(blockers, pipeReads.get());
            assertEquals(5_000, ok.get());
            assertEquals(e.stats().submitted(), e.stats().completed());
            assertEquals(0, e.stats().strayCompletions());
            assertEquals(0, e.inFlight());
            // Slots freed by virtual threads while others waited are handed on by the completion
            // thread: none may be left with it.
            int all = e.opSlots();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (e.freeOpSlots() != all && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(all, e.freeOpSlots(), "slots lost: " + e.describeInFlight());
        }
    }

    /**
     * Ops beyond what the ring may hold wait in the engine's queue, already holding a slot: their
     * threads park once, for the completion, and the kernel never holds more than the ring limit.
     */
    @Test
    void opsBeyondTheRingLimitWaitInTheQueueNotForASlot() throws Exception {
        try (Engine e = start(8); Pipe p = Pipe.open(); Arena bufs = Arena.ofShared()) {
            int readers = 40; // 14 in the ring, 26 queued, all within the 62 slots
            AtomicInteger eight = new AtomicInteger();
            List<Thread> threads = startPipeReaders(e, p, bufs, readers, false, eight);
            awaitInFlight(e, readers);
            awaitRingWaits(e, readers - e.ringLimit());
            assertEquals(0, e.stats().slotWaits(), "no thread waited for a slot: " + e.stats());
            // Feed the pipe 8 bytes at a time: a queued read can only take its bytes once it is in
            // the ring, so every read completing proves the queue moves as the ring drains.
            try (Arena a = Arena.ofConfined()) {
                MemorySegment data = a.allocate(8);
                for (int i = 0; i < readers; i++) assertEquals(8, Syscalls.write(p.writeFd(), data, 8));
            }
            for (Thread t : threads) t.join(10_000);
            assertEquals(readers, eight.get());
            assertEquals(0, e.stats().cqOverflows(), "the kernel held more ops than the CQ has room for");
            assertEquals(0, e.inFlight());
            assertTrue(p.nobodyElseReads());
        }
    }

    /**
     * Ops that wait in the kernel for something other than the device (a pipe, a terminal) stop
     * counting against the ring limit once ops have queued behind them for the stall time with no
     * completion: an op that would unblock them, or any other, is not held back for ever. With the
     * limit held regardless, the NOP and the write below never ran.
     */
    @Test
    void opsStalledInTheKernelStopCountingAgainstTheRingLimit() throws Exception {
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8).withStallNanos(TimeUnit.MILLISECONDS.toNanos(20)));
             Pipe p = Pipe.open(); Arena bufs = Arena.ofShared()) {
            int readers = 20; // as buffered reads: 7 would fit in the ring, 13 queue behind them
            AtomicInteger eight = new AtomicInteger();
            List<Thread> threads = startPipeReaders(e, p, bufs, readers, true, eight);
            awaitInFlight(e, readers);
            AtomicInteger nop = new AtomicInteger(-1);
            Thread other = Thread.ofVirtual().start(() -> nop.set(e.nop()));
            other.join(10_000);
            assertEquals(0, nop.get(), "an unrelated op waited behind the blocked reads: " + e.describeInFlight());
            assertTrue(e.stats().stalledOps() >= e.bufferedRingLimit(), e.stats().toString());
            try (Arena a = Arena.ofConfined()) {
                assertEquals(8L * readers, Syscalls.write(p.writeFd(), a.allocate(8L * readers), 8L * readers));
            }
            for (Thread t : threads) t.join(10_000);
            assertEquals(readers, eight.get(), e.describeInFlight().toString());
            assertEquals(0, e.inFlight());
            assertEquals(e.opSlots(), e.freeOpSlots(), "every slot came back");
            // The accounting is intact: a full ring limit of reads goes in without queueing, and no more.
            long waitsBefore = e.stats().ringWaits();
            List<Thread> more = startPipeReaders(e, p, bufs, e.ringLimit() + 1, false, eight);
            awaitInFlight(e, e.ringLimit() + 1);
            awaitRingWaits(e, waitsBefore + 1);
            try (Arena a = Arena.ofConfined()) {
                long n = 8L * (e.ringLimit() + 1);
                assertEquals(n, Syscalls.write(p.writeFd(), a.allocate(n), n));
            }
            for (Thread t : more) t.join(10_000);
            assertEquals(readers + e.ringLimit() + 1, eight.get());
            assertEquals(0, e.inFlight());
            assertTrue(p.nobodyElseReads());
        }
    }

    /**
     * Stalled ops are let past the ring limit by age (20 epochs), not only when nothing at all
     * completes for an epoch: beside 10 reads blocked on a pipe, the buffered reads' halved limit (7) left room
     * for one buffered read at a time, which kept completing, so the blocked reads never counted as
     * stalled and the readers went one by one for ever.
     */
    @Test
    void opsStalledBesideOthersThatCompleteAreLetPastTheLimitToo() throws Exception {
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8).withStallNanos(TimeUnit.MILLISECONDS.toNanos(20)));
             Pipe p = Pipe.open(); Arena bufs = Arena.ofShared()) {
            AtomicInteger eight = new AtomicInteger();
            List<Thread> blocked = startPipeReaders(e, p, bufs, 10, false, eight);
            awaitInFlight(e, 10);
            AtomicInteger bad = new AtomicInteger();
            AtomicLong reads = new AtomicLong();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // or until they are let past
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                readers.add(Thread.ofVirtual().start(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(4096, 8);
                        SplittableRandom rnd = new SplittableRandom(Thread.currentThread().threadId());
                        while (System.nanoTime() < until && e.stats().stalledOps() < 10) {
                            long off = rnd.nextInt(FILE_SIZE / 4096) * 4096L;
                            if (e.submitAndAwait(e.acquire().prepRead(fd, buf.address(), 4096, off).bufferedRead(true)) != 4096
                                    || buf.get(ValueLayout.JAVA_LONG, 0) != off) bad.incrementAndGet();
                            reads.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : readers) t.join(10_000);
            assertEquals(0, bad.get());
            assertTrue(reads.get() > 100, "reads: " + reads);
            assertTrue(e.stats().stalledOps() >= 10, "the blocked reads were let past the limit: " + e.stats());
            try (Arena a = Arena.ofConfined()) {
                assertEquals(80, Syscalls.write(p.writeFd(), a.allocate(80), 80));
            }
            for (Thread t : blocked) t.join(10_000);
            assertEquals(10, eight.get());
            assertEquals(0, e.inFlight());
            assertEquals(e.opSlots(), e.freeOpSlots());
            assertTrue(p.nobodyElseReads());
        }
    }

    /**
     * The readers one drain completes are woken by one of them (see {@link Engine}): the
     * completion thread unparks a single parked reader, which unparks the others from its carrier.
     * None is lost, whichever way each is woken.
     */
    @Test
    void theReadersOfACompletionBatchAreWokenByOneOfThem() throws Exception {
        try (Engine e = start(256); Pipe p = Pipe.open(); Arena bufs = Arena.ofShared()) {
            int readers = 64;
            for (int round = 0; round < 5; round++) {
                AtomicInteger eight = new AtomicInteger();
                List<Thread> threads = startPipeReaders(e, p, bufs, readers, false, eight);
                awaitInFlight(e, readers);
                for (Thread t : threads) awaitWaiting(t);
                try (Arena a = Arena.ofConfined()) {
                    // One write under PIPE_BUF: every read is ready at once, and each takes its 8 bytes.
                    assertEquals(8L * readers, Syscalls.write(p.writeFd(), a.allocate(8L * readers), 8L * readers));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                for (Thread t : threads) t.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                assertEquals(readers, eight.get(), "round " + round + ": " + e.stats());
            }
            assertTrue(e.stats().handedOn() > 0, "no wake-up was handed on: " + e.stats());
            assertEquals(0, e.inFlight());
            assertEquals(0, e.stats().strayCompletions());
            assertTrue(p.nobodyElseReads());
        }
    }

    /**
     * While buffered reads are in the kernel it holds only half the ring limit; the rest, of any
     * kind, wait in the queue, and the full limit is back once the buffered reads are done.
     */
    @Test
    void whileBufferedReadsAreInTheKernelItHoldsHalfAsManyOps() throws Exception {
        try (Engine e = start(8); Pipe buffered = Pipe.open(); Pipe plain = Pipe.open(); Arena bufs = Arena.ofShared()) {
            assertEquals(7, e.bufferedRingLimit(), "half of the ring limit of 14");
            int readers = 20; // 7 in the ring, 13 queued
            AtomicInteger eight = new AtomicInteger();
            List<Thread> threads = startPipeReaders(e, buffered, bufs, readers, true, eight);
            awaitInFlight(e, readers);
            awaitRingWaits(e, readers - e.bufferedRingLimit());
            // An op of another kind queues too: the ring is full at the lower limit.
            MemorySegment other = bufs.allocate(8);
            Thread plainReader = Thread.ofVirtual().start(() -> {
                if (e.submitAndAwait(e.acquire().prepRead(plain.readFd(), other.address(), 8, -1)) == 8) eight.incrementAndGet();
            });
            awaitRingWaits(e, readers - e.bufferedRingLimit() + 1);
            try (Arena a = Arena.ofConfined()) {
                assertEquals(8, Syscalls.write(plain.writeFd(), a.allocate(8), 8));
                Thread.sleep(50);
                assertTrue(plainReader.isAlive(), "the plain read went past the buffered reads' limit");
                // Fed 8 bytes at a time, every buffered read completes: the queue moves as they finish.
                MemorySegment data = a.allocate(8);
                for (int i = 0; i < readers; i++) assertEquals(8, Syscalls.write(buffered.writeFd(), data, 8));
            }
            for (Thread t : threads) t.join(10_000);
            plainReader.join(10_000);
            assertEquals(readers + 1, eight.get());
            assertEquals(0, e.inFlight());
            // No buffered read in the kernel: a full ring limit of plain reads goes in without queueing.
            long waitsBefore = e.stats().ringWaits();
            List<Thread> plainReaders = new ArrayList<>();
            for (int i = 0; i < e.ringLimit(); i++) {
                MemorySegment buf = bufs.allocate(8);
                plainReaders.add(Thread.ofVirtual().start(() -> e.submitAndAwait(e.acquire().prepRead(plain.readFd(), buf.address(), 8, -1))));
            }
            awaitInFlight(e, e.ringLimit());
            try (Arena a = Arena.ofConfined()) {
                assertEquals(8L * e.ringLimit(), Syscalls.write(plain.writeFd(), a.allocate(8L * e.ringLimit()), 8L * e.ringLimit()));
            }
            for (Thread t : plainReaders) t.join(10_000);
            assertEquals(waitsBefore, e.stats().ringWaits(), "plain reads queued with no buffered read in the kernel: " + e.stats());
            assertEquals(0, e.stats().cqOverflows());
            assertTrue(buffered.nobodyElseReads());
            assertTrue(plain.nobodyElseReads());
        }
    }

    /**
     * Starts {@code n} virtual threads that each read 8 bytes of {@code p} through the ring (as
     * buffered reads if {@code buffered}), counting the reads that got all 8 in {@code eight}.
     */
    private static List<Thread> startPipeReaders(Engine e, Pipe p, Arena bufs, int n, boolean buffered, AtomicInteger eight) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MemorySegment buf = bufs.allocate(8);
            threads.add(Thread.ofVirtual().start(() -> {
                if (e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1).bufferedRead(buffered)) == 8) {
                    eight.incrementAndGet();
                }
            }));
        }
        return threads;
    }

    private static void awaitRingWaits(Engine e, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.stats().ringWaits() < n && System.nanoTime() < deadline) Thread.sleep(1); // pushed, maybe not yet flushed
        assertEquals(n, e.stats().ringWaits(), "queued behind the full ring: " + e.stats());
    }

    /**
     * A queued op that is cancelled (its thread interrupted, its descriptor's ops cancelled) completes
     * with ECANCELED without reaching the kernel, while the ring stays full of other ops.
     */
    @Test
    void queuedOpsAreCancelledWithoutReachingTheKernel() throws Exception {
        try (Engine e = start(8); Pipe full = Pipe.open(); Pipe other = Pipe.open(); Arena bufs = Arena.ofShared()) {
            List<Thread> blockers = new ArrayList<>();
            for (int i = 0; i < e.ringLimit(); i++) {
                MemorySegment buf = bufs.allocate(8);
                blockers.add(Thread.ofVirtual().start(() -> e.submitAndAwait(e.acquire().prepRead(full.readFd(), buf.address(), 8, -1))));
            }
            awaitInFlight(e, e.ringLimit());
            AtomicInteger interruptedResult = new AtomicInteger(1);
            MemorySegment one = bufs.allocate(8);
            Thread interrupted = Thread.ofVirtual().start(() ->
                    interruptedResult.set(e.submitAndAwait(e.acquire().prepRead(other.readFd(), one.address(), 8, -1), true)));
            List<Thread> byFd = new ArrayList<>();
            AtomicInteger byFdCancelled = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                MemorySegment buf = bufs.allocate(8);
                byFd.add(Thread.ofVirtual().start(() -> {
                    if (e.submitAndAwait(e.acquire().prepRead(other.readFd(), buf.address(), 8, -1)) == -Errno.ECANCELED) {
                        byFdCancelled.incrementAndGet();
                    }
                }));
            }
            awaitInFlight(e, e.ringLimit() + 4);
            interrupted.interrupt();
            interrupted.join(10_000);
            assertFalse(interrupted.isAlive(), "an interrupted queued op never completed");
            assertEquals(-Errno.ECANCELED, interruptedResult.get());
            e.cancelAll(other.readFd());
            for (Thread t : byFd) t.join(10_000);
            assertEquals(3, byFdCancelled.get());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (e.inFlight() != e.ringLimit() && System.nanoTime() < deadline) Thread.sleep(1); // the cancels' own CQEs
            assertEquals(e.ringLimit(), e.inFlight(), "the ring's own ops are untouched");
            assertTrue(other.nobodyElseReads(), "no cancelled read reached the kernel later");
            try (Arena a = Arena.ofConfined()) {
                assertEquals(8L * e.ringLimit(), Syscalls.write(full.writeFd(), a.allocate(8L * e.ringLimit()), 8L * e.ringLimit()));
            }
            for (Thread t : blockers) t.join(10_000);
            assertEquals(0, e.inFlight());
            assertEquals(e.stats().submitted(), e.stats().completed());
        }
    }

    /** Closing the engine completes the ops still queued (ECANCELED) as well as those in the ring. */
    @Test
    void closeCancelsQueuedOpsToo() throws Exception {
        Engine e = start(8);
        try (Pipe p = Pipe.open(); Arena bufs = Arena.ofShared()) {
            int readers = 30;
            AtomicInteger cancelled = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                MemorySegment buf = bufs.allocate(8);
                threads.add(Thread.ofVirtual().start(() -> {
                    if (e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1)) == -Errno.ECANCELED) {
                        cancelled.incrementAndGet();
                    }
                }));
            }
            awaitInFlight(e, readers);
            Thread closer = Thread.ofVirtual().start(e::close);
            closer.join(10_000);
            assertFalse(closer.isAlive(), "close never finished: " + e.describeInFlight());
            for (Thread t : threads) t.join(10_000);
            assertEquals(readers, cancelled.get());
            assertEquals(0, e.inFlight());
            assertTrue(p.nobodyElseReads());
        } finally {
            e.close();
        }
    }

    private static void awaitInFlight(Engine e, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.inFlight() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + e.inFlight() + " of " + n + " ops in flight: " + e.stats());
            Thread.sleep(1);
        }
    }

    /**
     * Slots go to waiters in arrival order, and a thread arriving while others wait queues behind
     * them: with barging, a thread that released a slot and asked again at once took it back while
     * the waiter woken for it parked again, a futile wake-up per op under load.
     */
    @Test
    void slotsGoToWaitersInArrivalOrderAndNobodyBargesAhead() throws Exception {
        try (Engine e = start(8)) {
            List<Op> held = new ArrayList<>();
            while (held.size() < e.opSlots()) held.add(e.acquire());
            ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
            List<Thread> waiters = new ArrayList<>();
            for (String name : List.of("w1", "w2", "w3")) {
                Thread t = Thread.ofVirtual().start(() -> {
                    Op op = e.acquire();
                    order.add(name); // before handing the slot on, so the order is the order of acquisition
                    e.release(op);
                });
                waiters.add(t);
                awaitWaiting(t);
            }
            // Hand w1 a slot and ask for one at once, as a thread whose op just completed does:
            // this thread must queue behind the three waiters instead of taking the slot back.
            e.release(held.removeLast());
            Op late = e.acquire();
            order.add("late");
            e.release(late);
            for (Thread t : waiters) t.join(10_000);
            assertEquals(List.of("w1", "w2", "w3", "late"), List.copyOf(order));
            held.forEach(e::release);
        }
    }

    private static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "thread never blocked: " + t.getState());
            Thread.sleep(1);
        }
    }

    @Test
    void asyncCallbacksRunOnTheExecutorNotTheCompletionThread() throws Exception {
        try (Engine e = start(32); var exec = Executors.newFixedThreadPool(2)) {
            int n = 1_000;
            CountDownLatch done = new CountDownLatch(n);
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < n; i++) {
                e.submitAsync(e.acquire().prepNop(), exec, res -> {
                    if (res != 0) wrong.add("result " + res);
                    if (Thread.currentThread() == e.completionThread()) wrong.add("ran on the completion thread");
                    done.countDown();
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertTrue(wrong.isEmpty(), wrong.toString());
            assertFalse(e.completionThread().isVirtual());
            assertTrue(e.completionThread().isDaemon());
            assertEquals("uringfs-completions", e.completionThread().getName());
        }
    }

    @Test
    void interruptCancelsTheOpAndKeepsTheInterruptStatus() throws Exception {
        try (Engine e = start(32); Pipe p = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(64);
            AtomicInteger result = new AtomicInteger(1);
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                result.set(e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 64, -1), true));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            while (e.inFlight() == 0) Thread.onSpinWait();
            Thread.sleep(20);
            assertTrue(t.isAlive(), "a read on an empty pipe must wait");
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(-Errno.ECANCELED, result.get());
            assertTrue(stillInterrupted.get());
            assertTrue(p.nobodyElseReads(), "the cancelled read is gone from the kernel");
        }
    }

    @Test
    void interruptStormLosesNothing() throws Exception {
        int fdsBefore = ringAndPipeFds();
        // 300 pipe reads stay in flight together, so the ring must have slots for all of them
        // (with fewer, readers still on their file reads would wait for a slot forever).
        try (Engine e = start(256)) {
            int readers = 300;
            List<Pipe> pipes = new ArrayList<>();
            for (int i = 0; i < readers; i++) pipes.add(Pipe.open());
            AtomicInteger cancelled = new AtomicInteger(), gotData = new AtomicInteger(), fileOk = new AtomicInteger(),
                    wrong = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch atPipes = new CountDownLatch(readers);
            for (int i = 0; i < readers; i++) {
                Pipe p = pipes.get(i);
                long seed = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(4096, 8);
                        // file reads racing with interrupts: either right data or cancelled, nothing else
                        SplittableRandom rnd = new SplittableRandom(seed);
                        for (int k = 0; k < 20; k++) {
                            long off = rnd.nextInt(FILE_SIZE / 4096) * 4096L;
                            int r = e.submitAndAwait(e.acquire().prepRead(fd, buf.address(), 4096, off), true);
                            if (r == 4096 && buf.get(ValueLayout.JAVA_LONG, 0) == off) fileOk.incrementAndGet();
                            else if (r != -Errno.ECANCELED) wrong.incrementAndGet();
                        }
                        Thread.interrupted();
                        atPipes.countDown();
                        int r = e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 1, -1), true);
                        if (r == -Errno.ECANCELED) cancelled.incrementAndGet();
                        else if (r == 1 && buf.get(ValueLayout.JAVA_BYTE, 0) == 7) gotData.incrementAndGet();
                        else wrong.incrementAndGet();
                    }
                }));
            }
            // Interrupt at random moments while feeding half of the pipes.
            SplittableRandom rnd = new SplittableRandom(42);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // or until they are let past
            while (System.nanoTime() < until) threads.get(rnd.nextInt(readers)).interrupt();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment one = a.allocate(1);
                one.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
                for (int i = 0; i < readers; i += 2) Syscalls.write(pipes.get(i).writeFd(), one, 1);
            }
            // Every reader is now at (or about to start) its pipe read: an interrupt from here on
            // either cancels it or, if it lands before the submission, cancels it right after.
            atPipes.await();
            for (int i = 1; i < readers; i += 2) threads.get(i).interrupt();
            for (Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive(), "a reader is stuck");
            }
            assertEquals(0, wrong.get(), "results other than data or ECANCELED");
            assertEquals(readers, cancelled.get() + gotData.get());
            assertTrue(fileOk.get() > 0);
            assertEquals(e.stats().submitted(), e.stats().completed(), e.stats().toString());
            assertEquals(0, e.stats().strayCompletions());
            for (Pipe p : pipes) {
                // a pipe still holding its byte was cancelled before reading; drain it, then check
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment b = a.allocate(1);
                    Syscalls.setNonBlocking(p.readFd());
                    Syscalls.read(p.readFd(), b, 1);
                }
                assertTrue(p.nobodyElseReads());
                p.close();
            }
        }
        assertEquals(fdsBefore, ringAndPipeFds(), "file descriptors leaked");
    }

    @Test
    void closeWithOpsInFlightCancelsThemAndWaitsForEveryCqe() throws Exception {
        int fdsBefore = ringAndPipeFds();
        Engine e = start(16);
        List<Pipe> pipes = new ArrayList<>();
        AtomicInteger cancelled = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Pipe p = Pipe.open();
            pipes.add(p);
            threads.add(Thread.ofVirtual().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    if (e.submitAndAwait(e.acquire().prepRead(p.readFd(), a.allocate(8).address(), 8, -1))
                            == -Errno.ECANCELED) cancelled.incrementAndGet();
                }
            }));
        }
        while (e.inFlight() < 10) Thread.sleep(1);
        e.close();
        assertEquals(0, e.inFlight());
        for (Thread t : threads) t.join(5_000);
        assertEquals(10, cancelled.get());
        assertFalse(e.completionThread().isAlive(), "completion thread stopped");
        for (Pipe p : pipes) {
            assertTrue(p.nobodyElseReads());
            p.close();
        }
        assertEquals(fdsBefore, ringAndPipeFds(), "ring fd or pipes leaked");
        try {
            e.acquire();
            fail("acquire after close");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("closed"));
        }
        e.close(); // idempotent
    }

    @Test
    void closeRacingWithSubmittersNeitherCrashesNorStrandsAnyone() throws Exception {
        AtomicInteger completed = new AtomicInteger();
        for (int round = 0; round < 20; round++) {
            Engine e = start(8);
            AtomicInteger refused = new AtomicInteger(), wrong = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 200; t++) {
                long seed = round * 1000L + t;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(4096, 8);
                        SplittableRandom rnd = new SplittableRandom(seed);
                        while (true) {
                            boolean ok = rnd.nextBoolean() ? e.nop() == 0 : checkedRead(e, buf, rnd);
                            (ok ? completed : wrong).incrementAndGet();
                        }
                    } catch (IllegalStateException closed) {
                        refused.incrementAndGet();
                    }
                }));
            }
            Thread.sleep(5 + round);
            e.close();
            for (Thread t : threads) {
                t.join(10_000);
                assertFalse(t.isAlive(), "a submitter is stranded after close");
            }
            assertEquals(200, refused.get(), "every submitter learns of the close");
            // ops cancelled by the close may complete with -ECANCELED; nothing else may be wrong
            assertEquals(0, e.stats().strayCompletions());
            assertEquals(0, e.inFlight());
        }
        assertTrue(completed.get() > 0, "the submitters got work done before the closes");
    }

    /** Starts an engine as if virtual threads had {@code carriers} carriers (the engine reads the JDK's property once). */
    private static Engine startWithCarriers(int carriers) throws UringUnavailableException {
        String key = "jdk.virtualThreadScheduler.parallelism", before = System.getProperty(key);
        System.setProperty(key, Integer.toString(carriers));
        try {
            return start(32);
        } finally {
            if (before == null) System.clearProperty(key);
            else System.setProperty(key, before);
        }
    }

    @Test
    void withASingleCarrierALoneOpParksAtOnceInsteadOfHoldingTheCarrierInTheKernel() throws Exception {
        try (Engine e = startWithCarriers(1); Pipe p = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(8);
            AtomicInteger r = new AtomicInteger(-1);
            Thread t = Thread.ofVirtual().start(() -> r.set(e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1))));
            awaitParkedOnRead(e, t, 1);
            assertEquals(0, e.stats().briefWaits(), "no brief wait with one carrier: " + e.stats());
            writeByte(p, 5);
            t.join(10_000);
            assertEquals(1, r.get());
        }
    }

    @Test
    void aLoneOpWaitsBrieflyInTheKernelThenParksAndAnOpBesideOthersParksAtOnce() throws Exception {
        try (Engine e = startWithCarriers(2); Pipe first = Pipe.open(); Pipe second = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf1 = a.allocate(8), buf2 = a.allocate(8);
            AtomicInteger r1 = new AtomicInteger(-1), r2 = new AtomicInteger(-1);
            Thread t1 = startReaderAfterNop(e, first, buf1, r1); // the op before the read is its own: a lone reader's
            awaitParkedOnRead(e, t1, 1);
            assertEquals(1, e.stats().briefWaits(), "the only op in flight waits in the kernel first: " + e.stats());
            Thread t2 = startReaderAfterNop(e, second, buf2, r2);
            awaitParkedOnRead(e, t2, 2);
            assertEquals(1, e.stats().briefWaits(), "with another op in flight the submitter parks at once: " + e.stats());
            writeByte(first, 7);
            writeByte(second, 9);
            t1.join(10_000);
            t2.join(10_000);
            assertEquals(1, r1.get());
            assertEquals(1, r2.get());
            assertEquals(7, buf1.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(9, buf2.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    /**
     * Threads taking turns at the ring, each one's op alone in flight, do not hold a carrier in the
     * kernel: only an op that follows its own thread's last op waits there.
     */
    @Test
    void aLoneOpAfterAnotherThreadsOpParksAtOnce() throws Exception {
        try (Engine e = startWithCarriers(2); Pipe first = Pipe.open(); Pipe second = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(8);
            AtomicInteger r1 = new AtomicInteger(-1), r2 = new AtomicInteger(-1);
            e.nop();
            Thread t1 = Thread.ofVirtual().start(() ->
                    r1.set(e.submitAndAwait(e.acquire().prepRead(first.readFd(), buf.address(), 8, -1))));
            awaitParkedOnRead(e, t1, 1);
            assertEquals(0, e.stats().briefWaits(), "the op before was another thread's: " + e.stats());
            writeByte(first, 7);
            t1.join(10_000);
            assertEquals(1, r1.get());
            Thread t2 = startReaderAfterNop(e, second, buf, r2);
            awaitParkedOnRead(e, t2, 2);
            assertEquals(1, e.stats().briefWaits(), "an op after its own thread's waits in the kernel first: " + e.stats());
            feedAndJoin(second, 9, t2, r2, buf);
        }
    }

    /**
     * A lone op does not hold its carrier in the kernel while threads the engine woke wait for a
     * carrier: with the other carriers busy, they would wait behind it for as long as its thread's
     * ops keep ending within the wait.
     */
    @Test
    void aLoneOpParksAtOnceWhileWokenThreadsWaitForACarrier() throws Exception {
        try (Engine e = startWithCarriers(2); Pipe pipe = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(8);
            AtomicInteger r = new AtomicInteger(-1);
            CarrierQuantum.waking(Thread.ofVirtual().unstarted(() -> {})); // woken, not run yet
            try {
                Thread t = startReaderAfterNop(e, pipe, buf, r);
                awaitParkedOnRead(e, t, 1);
                assertEquals(0, e.stats().briefWaits(), "a woken thread waits for a carrier: " + e.stats());
                feedAndJoin(pipe, 5, t, r, buf);
            } finally {
                CarrierQuantum.callbackRunning(); // the thread counted above, as if it ran
            }
        }
    }

    /**
     * With nothing in flight the completion thread parks instead of waiting on the ring (so that a
     * lone op's CQE, reaped by its submitter in the kernel, does not wake it too). Every op it must
     * reap then wakes it: a lone op that outlasts its submitter's brief wait, an op beside another,
     * an async op nobody waits for, and the close.
     */
    @Test
    void anIdleCompletionThreadParksAndIsWokenForEveryOpItMustReap() throws Exception {
        Engine e = startWithCarriers(2);
        try (Pipe lone = Pipe.open(); Pipe beside = Pipe.open(); Pipe async = Pipe.open(); Arena a = Arena.ofShared()) {
            awaitParked(e);
            MemorySegment buf1 = a.allocate(8), buf2 = a.allocate(8), buf3 = a.allocate(8);
            AtomicInteger r1 = new AtomicInteger(-1), r2 = new AtomicInteger(-1);
            Thread t1 = startReaderAfterNop(e, lone, buf1, r1);
            awaitParkedOnRead(e, t1, 1);
            assertEquals(1, e.stats().briefWaits(), "the lone op was waited for in the kernel first: " + e.stats());
            writeByte(lone, 7);
            t1.join(10_000);
            assertEquals(1, r1.get(), "a lone op that outlasted its brief wait was reaped");
            awaitParked(e);

            Thread t2 = startReaderAfterNop(e, beside, buf2, r2);
            while (e.stats().briefWaits() < 2) Thread.onSpinWait();
            CountDownLatch asyncDone = new CountDownLatch(1);
            AtomicInteger r3 = new AtomicInteger(-1);
            e.submitAsync(e.acquire().prepRead(async.readFd(), buf3.address(), 8, -1), Runnable::run, res -> {
                r3.set(res);
                asyncDone.countDown();
            });
            writeByte(async, 9);
            assertTrue(asyncDone.await(10, TimeUnit.SECONDS), "an async op submitted beside a brief wait was reaped: " + e.describeInFlight());
            assertEquals(1, r3.get());
            writeByte(beside, 8);
            t2.join(10_000);
            assertEquals(1, r2.get());
            assertEquals(7, buf1.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(8, buf2.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(9, buf3.get(ValueLayout.JAVA_BYTE, 0));

            awaitParked(e);
            CountDownLatch nopDone = new CountDownLatch(1);
            e.submitAsync(e.acquire().prepNop(), Runnable::run, res -> nopDone.countDown());
            assertTrue(nopDone.await(10, TimeUnit.SECONDS), "an async op submitted to an idle engine was reaped: " + e.describeInFlight());
            awaitParked(e);
        } finally {
            e.close();
        }
        assertFalse(e.completionThread().isAlive(), "close woke the parked completion thread, which stopped");
    }

    /**
     * A platform thread's async op is put into the kernel by the parked completion thread, which
     * then finishes the kernel's work for it while it waits there: the submitter may go on
     * computing without holding the completion back until its next system call or timer tick.
     */
    @Test
    void aPlatformThreadsAsyncOpIsLeftToTheParkedCompletionThreadToSubmit() throws Exception {
        try (Engine e = startWithCarriers(2); Pipe p = Pipe.open(); Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(8);
            awaitParked(e);
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger r = new AtomicInteger(-1);
            e.submitAsync(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1), Runnable::run, res -> {
                r.set(res);
                done.countDown();
            });
            assertEquals(1, e.stats().flushesLeft(), "submitted by the completion thread: " + e.stats());
            writeByte(p, 3);
            assertTrue(done.await(10, TimeUnit.SECONDS), "the async op completed: " + e.describeInFlight());
            assertEquals(1, r.get());
            assertEquals(3, buf.get(ValueLayout.JAVA_BYTE, 0));
            Thread.ofVirtual().start(() -> e.submitAsync(e.acquire().prepNop(), Runnable::run, res -> {})).join();
            assertEquals(1, e.stats().flushesLeft(), "a virtual thread flushes its own: " + e.stats());
        }
    }

    /** Waits until the engine's completion thread is parked (WAITING), not asleep in io_uring_enter (RUNNABLE, in native code). */
    private static void awaitParked(Engine e) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (e.completionThread().getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "completion thread not parked: " + e.completionThread().getState() + " " + e.describeInFlight());
            Thread.sleep(1);
        }
    }

    /** Starts a virtual thread that puts in a NOP, then reads up to 8 bytes of {@code p} into {@code buf}, the result in {@code r}. */
    private static Thread startReaderAfterNop(Engine e, Pipe p, MemorySegment buf, AtomicInteger r) {
        return Thread.ofVirtual().start(() -> {
            e.nop();
            r.set(e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1)));
        });
    }

    /**
     * Waits until {@code reads} reads were submitted and {@code t} is parked, on the last of them:
     * a wait in the kernel before parking is then over. Counting parks instead would also count
     * another op's park (the engine's first op, a NOP before the read).
     */
    private static void awaitParkedOnRead(Engine e, Thread t, int reads) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.stats().submitted(IoUring.OP_READ) < reads || t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() - deadline > 0) fail("read " + reads + " not parked on in 10 s: " + t.getState() + ", " + e.stats());
            Thread.onSpinWait();
        }
    }

    /** Writes {@code value} into {@code p} for the reader {@code t}, and checks that it read that byte into {@code buf}. */
    private static void feedAndJoin(Pipe p, int value, Thread t, AtomicInteger r, MemorySegment buf) throws InterruptedException {
        writeByte(p, value);
        t.join(10_000);
        assertEquals(1, r.get());
        assertEquals(value, buf.get(ValueLayout.JAVA_BYTE, 0));
    }

    private static void writeByte(Pipe p, int value) {
        try (Arena w = Arena.ofConfined()) {
            MemorySegment b = w.allocate(1);
            b.set(ValueLayout.JAVA_BYTE, 0, (byte) value);
            assertEquals(1, Syscalls.write(p.writeFd(), b, 1));
        }
    }

    @Test
    void pageCacheHitsAreReapedBySubmitterWithoutParking() throws Exception {
        try (Engine e = start(32); Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096, 8);
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < 2_000; i++) assertTrue(checkedRead(e, buf, rnd));
            assertTrue(e.stats().parkedWaits() < 200, "hot reads complete inline, without parking: " + e.stats());
        }
    }

    // ---- availability ----

    private static String unavailableReason(EngineConfig config) {
        try (Engine e = Engine.start(config)) {
            fail("engine started despite " + config);
            return null;
        } catch (UringUnavailableException expected) {
            return expected.getMessage();
        }
    }

    private static EngineConfig failingWith(int errno) {
        return EngineConfig.defaults().withRingFactory((sq, cq) -> {
            throw new RingSetupException("io_uring_setup", errno);
        });
    }

    @Test
    void unavailabilityReasonsNameTheCause() {
        String sysctl = readSysctl();
        String eperm = unavailableReason(failingWith(Errno.EPERM));
        assertTrue(sysctl.equals("0") ? eperm.contains("seccomp") : eperm.contains("kernel.io_uring_disabled"), eperm);
        assertTrue(eperm.contains("Operation not permitted"), eperm);
        assertTrue(unavailableReason(failingWith(Errno.ENOSYS)).contains("the kernel has no io_uring"));
        assertTrue(unavailableReason(failingWith(Errno.ENOMEM)).contains("RLIMIT_MEMLOCK"));
        String missing = unavailableReason(EngineConfig.defaults().withDisabledOps(Set.of(22)));
        assertTrue(missing.contains("lacks opcodes") && missing.contains("READ"), missing);
    }

    @Test
    void theRealSysctlIsDetected() throws Exception {
        Path sysctl = Path.of("/proc/sys/kernel/io_uring_disabled");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(sysctl) && readSysctl().equals("0"),
                "needs root and a writable kernel.io_uring_disabled");
        String reason;
        Files.writeString(sysctl, "2");
        try {
            reason = unavailableReason(EngineConfig.defaults());
        } finally {
            Files.writeString(sysctl, "0");
        }
        assertTrue(reason.contains("kernel.io_uring_disabled=2"), reason);
        try (Engine e = start(8)) {
            assertEquals(0, e.nop());
        }
    }

    private static String readSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Open rings and pipes of this process: the descriptors these tests create. (A plain count of
     * /proc/self/fd also sees the JVM lazily opening jars, which is not a leak.)
     */
    static int ringAndPipeFds() throws IOException {
        int n = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:") || target.equals("anon_inode:[io_uring]")) n++;
                } catch (IOException gone) {
                    // the descriptor of the listing itself, closed by now
                }
            }
        }
        return n;
    }
}
