package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected at the io_uring boundary ({@link Faults}): the engine retries what the kernel
 * asks it to retry, reports short transfers faithfully, and survives a CQ that really overflows,
 * with every op completed exactly once.
 */
class FaultInjectionTest {
    private static final long SEED = Long.getLong("uringfs.faults.seed", 0x5EED_F00DL);

    @AfterEach
    void uninstall() {
        Faults.install(null);
    }

    private static Engine start(Faults plan, int sq, int cq) throws UringUnavailableException {
        Faults.install(plan);
        try {
            return Engine.start(EngineConfig.defaults().withSqEntries(sq).withCqEntries(cq).withThreadName("fault-test"));
        } finally {
            Faults.install(null);
        }
    }

    /**
     * A hook that, the first time it runs once {@code engine[0]} is set, holds its thread until
     * {@code until} is true of the engine (30 s at most), parking so that a virtual thread held
     * there leaves its carrier to the others.
     */
    private static Runnable holdOnce(Engine[] engine, AtomicBoolean held, java.util.function.Predicate<Engine> until) {
        return () -> {
            if (engine[0] == null || !held.compareAndSet(false, true)) return;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!until.test(engine[0]) && System.nanoTime() < deadline) LockSupport.parkNanos(100_000);
        };
    }

    private static void assertAccounted(Engine e) {
        EngineStats s = e.stats();
        assertEquals(0, e.inFlight(), s.toString());
        assertEquals(s.submitted(), s.completed(), s.toString());
        assertEquals(0, s.strayCompletions(), s.toString());
    }

    /** 64 KiB of seeded random bytes, written to {@code dir}/data. */
    private static Path dataFile(Path dir, byte[] data) throws IOException {
        new Random(SEED).nextBytes(data);
        return Files.write(dir.resolve("data"), data);
    }

    /** Opens {@code file} for reading through {@code io}, again as long as the open is refused with {@code EPERM} (an injected fault). */
    private static int open(Io io, Path file) {
        try (Arena a = Arena.ofConfined()) {
            int fd;
            do fd = io.openat(-100, a.allocateFrom(file.toString()), 0, 0); while (fd == -Errno.EPERM);
            assertTrue(fd >= 0, "openat: " + fd);
            return fd;
        }
    }

    /**
     * {@code threads} virtual threads each read {@code perThread} 4 KiB blocks of {@code data}
     * (open at {@code fd}) through {@code io}, calling {@code before} ahead of each read; a read
     * that fails with {@code toleratedErrno} (0: none) is counted in {@code refused}, any other that
     * is not the block's bytes (or throws) is returned as a failure.
     */
    private static List<String> readConcurrently(Io io, int fd, byte[] data, int threads, int perThread,
                                                 Runnable before, int toleratedErrno, AtomicLong refused) {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int id = t;
                ex.submit(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(4096);
                        for (int i = 0; i < perThread; i++) {
                            before.run();
                            int off = ((id * perThread + i) % 16) * 4096;
                            long n = io.read(fd, buf.address(), 4096, off, true, false);
                            if (toleratedErrno != 0 && n == -toleratedErrno) {
                                refused.incrementAndGet();
                            } else if (n != 4096 || !Arrays.equals(buf.toArray(ValueLayout.JAVA_BYTE), 0, 4096, data, off, off + 4096)) {
                                wrong.add("read at " + off + " returned " + n);
                            }
                        }
                    } catch (RuntimeException e) {
                        wrong.add(e.toString());
                    }
                });
            }
        }
        return List.copyOf(wrong);
    }

    @Test
    void enterFailuresAreRetried(@TempDir Path dir) throws Exception {
        Faults plan = new Faults(SEED).enterErrors(0.3, Errno.EINTR, Errno.EAGAIN, Errno.EBUSY).ringOnly();
        byte[] data = new byte[64 * 1024];
        Path file = dataFile(dir, data);
        try (Engine e = start(plan, 8, 0)) {
            Io io = new Io(e);
            int fd = open(io, file);
            AtomicLong nops = new AtomicLong();
            var wrong = readConcurrently(io, fd, data, 200, 50, () -> { if (e.nop() == 0) nops.incrementAndGet(); }, 0, new AtomicLong());
            io.close(fd);
            assertTrue(wrong.isEmpty(), "seed " + SEED + ": " + wrong);
            assertEquals(200 * 50, nops.get(), "seed " + SEED);
            assertTrue(plan.injectedEnterFaults.sum() > 100, "injected: " + plan.injectedEnterFaults.sum());
            assertTrue(e.stats().busy() > 0, "EAGAIN/EBUSY retries counted: " + e.stats());
            assertAccounted(e);
        }
    }

    /**
     * io_uring_enter failing with ENOMEM (the kernel could not allocate a task's ring context)
     * after the SQ tail was published: the SQEs are the kernel's already, so the engine retries
     * instead of throwing (which let callers free memory the kernel was yet to use, and killed the
     * completion thread), and every op completes once, correctly.
     */
    @Test
    void unexpectedSubmitErrorsAreRetriedNotThrown(@TempDir Path dir) throws Exception {
        Faults plan = new Faults(SEED).enterErrors(0.3, Errno.ENOMEM).ringOnly();
        byte[] data = new byte[64 * 1024];
        Path file = dataFile(dir, data);
        try (Engine e = start(plan, 8, 0)) {
            Io io = new Io(e);
            int fd = open(io, file);
            var wrong = readConcurrently(io, fd, data, 100, 20, () -> { }, 0, new AtomicLong());
            io.close(fd);
            assertTrue(wrong.isEmpty(), "seed " + SEED + ": " + wrong);
            assertTrue(e.stats().submitErrors() > 50, "ENOMEM answers retried: " + e.stats());
            assertTrue(e.completionThread().isAlive(), "the completion thread survived its own failed submissions");
            assertAccounted(e);
        }
    }

    /**
     * io_uring_enter failing with an errno that retrying will not cure (EPERM, as from a seccomp
     * filter that denies io_uring_enter): the SQEs the kernel did not take are taken back and their
     * ops fail with the errno, each once; nobody waits for ever, and the ops that went through are
     * right. If even the first op cannot go through, the engine does not start.
     */
    @Test
    void submitErrorsThatPersistFailTheOpsTakenBack(@TempDir Path dir) throws Exception {
        int threadsBefore = Thread.activeCount();
        Faults.install(new Faults(SEED).enterErrors(1.0, Errno.EPERM));
        try {
            UringUnavailableException e = assertThrows(UringUnavailableException.class,
                    () -> Engine.start(EngineConfig.defaults().withSqEntries(8).withThreadName("fault-test-refused")));
            assertTrue(e.getMessage().contains("io_uring_enter was refused (errno 1), most likely by a seccomp filter"), e.getMessage());
        } finally {
            Faults.install(null);
        }
        byte[] data = new byte[64 * 1024];
        Path file = dataFile(dir, data);
        Faults plan = new Faults(SEED).enterErrors(0.2, Errno.EPERM).ringOnly();
        Engine[] started = new Engine[1];
        for (int attempt = 0; attempt < 20 && started[0] == null; attempt++) { // the first op may be refused too
            try {
                started[0] = start(plan, 8, 0);
            } catch (UringUnavailableException refused) {
                assertTrue(refused.getMessage().contains("errno 1"), refused.getMessage());
            }
        }
        try (Engine e = started[0]) {
            Io io = new Io(e);
            int fd = open(io, file);
            AtomicLong refused = new AtomicLong();
            var wrong = readConcurrently(io, fd, data, 100, 20, () -> { }, Errno.EPERM, refused);
            Syscalls.close(fd);
            assertTrue(wrong.isEmpty(), "seed " + SEED + ": " + wrong);
            assertTrue(refused.get() > 50 && refused.get() < 1950, "refused " + refused + " of 2,000 reads: " + e.stats());
            assertAccounted(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.activeCount() > threadsBefore && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(Thread.activeCount() <= threadsBefore, "the engines' completion threads stopped");
    }

    /**
     * Before Linux 5.19 ASYNC_CANCEL takes no flags: the engine finds that out at start and cancels
     * each op by its user_data instead, so closing a descriptor's ops and closing the engine still
     * end ops blocked on a pipe (with the flags, both waited for ever for a cancel the kernel refused).
     */
    @Test
    void withoutCancelFlagsEachOpIsCancelledByItsUserData() throws Exception {
        try (Engine modern = start(null, 8, 0)) {
            assertTrue(modern.cancelsWithFlags(), "this kernel's ASYNC_CANCEL takes flags");
        }
        Engine e = start(new Faults(SEED).cancelFlagsRefused(), 8, 0);
        assertFalse(e.cancelsWithFlags(), "the probe saw EINVAL");
        try (Pipe a = Pipe.open(); Pipe b = Pipe.open(); Arena bufs = Arena.ofShared()) {
            List<Thread> threads = new ArrayList<>();
            AtomicInteger cancelledA = new AtomicInteger();
            AtomicInteger cancelledB = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                Pipe p = i % 2 == 0 ? a : b;
                var counter = i % 2 == 0 ? cancelledA : cancelledB;
                MemorySegment buf = bufs.allocate(8);
                threads.add(Thread.ofVirtual().start(() -> {
                    if (e.submitAndAwait(e.acquire().prepRead(p.readFd(), buf.address(), 8, -1)) == -Errno.ECANCELED) {
                        counter.incrementAndGet();
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (e.inFlight() < 10 && System.nanoTime() < deadline) Thread.sleep(1);
            e.cancelAll(a.readFd());
            while (cancelledA.get() < 5 && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(5, cancelledA.get(), "the ops on the first pipe were cancelled: " + e.describeInFlight());
            assertEquals(0, cancelledB.get(), "the other pipe's ops were left alone");
            Thread closer = Thread.ofPlatform().start(e::close);
            closer.join(10_000);
            assertFalse(closer.isAlive(), "close cancelled the rest: " + e.describeInFlight());
            for (Thread t : threads) t.join(10_000);
            assertEquals(5, cancelledB.get());
            assertTrue(a.nobodyElseReads());
            assertTrue(b.nobodyElseReads());
            assertAccounted(e);
        } finally {
            e.close();
        }
    }

    /** A shortened SQE makes the kernel really transfer less: the result says so and matches the file. */
    @Test
    void shortTransfersAreReportedAsTheyHappened(@TempDir Path dir) throws Exception {
        Faults plan = new Faults(SEED).shortTransfers(0.5).ringOnly();
        Path file = dir.resolve("short");
        try (Engine e = start(plan, 8, 0); Arena a = Arena.ofConfined()) {
            Io io = new Io(e);
            int fd = io.openat(-100, a.allocateFrom(file.toString()), 0102 /* O_RDWR|O_CREAT */, 0644);
            assertTrue(fd >= 0);
            byte[] expected = new byte[256 * 1024];
            new Random(SEED).nextBytes(expected);
            MemorySegment src = a.allocate(expected.length);
            src.copyFrom(MemorySegment.ofArray(expected));
            int shortWrites = 0;
            for (long pos = 0; pos < expected.length; ) {
                int want = (int) Math.min(8192, expected.length - pos);
                long n = io.write(fd, src.address() + pos, want, pos, true, false);
                assertTrue(n > 0 && n <= want, "write returned " + n);
                if (n < want) shortWrites++;
                pos += n;
            }
            assertTrue(shortWrites > 5, "short writes: " + shortWrites);
            assertArrayEquals(expected, Files.readAllBytes(file), "seed " + SEED);
            MemorySegment dst = a.allocate(expected.length);
            int shortReads = 0;
            for (long pos = 0; pos < expected.length; ) {
                int want = (int) Math.min(8192, expected.length - pos);
                long n = io.read(fd, dst.address() + pos, want, pos, true, false);
                assertTrue(n > 0 && n <= want, "read returned " + n);
                if (n < want) shortReads++;
                pos += n;
            }
            assertTrue(shortReads > 5, "short reads: " + shortReads);
            assertArrayEquals(expected, dst.toArray(ValueLayout.JAVA_BYTE), "seed " + SEED);
            io.close(fd);
            assertAccounted(e);
        }
    }

    /**
     * Eight times as many slots as CQ entries, and nobody reaping for a while: the first thread to
     * drain a CQE is held right after completing it, holding the CQ, until NOPs completing
     * meanwhile have made the kernel park completions on its overflow list and raise
     * IORING_SQ_CQ_OVERFLOW; then the engine must flush them. Nothing may be lost or completed
     * twice. (Without the hold, whether NOPs outpaced reaping was up to the scheduler: on one CPU
     * every NOP was reaped as it completed, and the CQ never overflowed.)
     */
    @Test
    void cqOverflowLosesNothing() throws Exception {
        Engine[] engine = new Engine[1];
        AtomicBoolean held = new AtomicBoolean();
        Faults plan = new Faults(SEED).slotFactor(8).afterPublish(
                holdOnce(engine, held, e -> (e.ring().sqFlags() & IoUring.SQ_CQ_OVERFLOW) != 0));
        try (Engine e = start(plan, 4, 4)) {
            engine[0] = e;
            // 16 CQ entries, 4 per engine slot: 4 x 8 = 32 entries' worth of ops (4 for cancels)
            assertEquals(28, e.ringLimit(), "28 ops on a 16-entry CQ");
            AtomicLong ok = new AtomicLong();
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 1000; t++) {
                    ex.submit(() -> { for (int i = 0; i < 50; i++) if (e.nop() == 0) ok.incrementAndGet(); });
                }
            }
            assertEquals(50_000, ok.get());
            assertTrue(held.get(), "no completion was held");
            assertTrue(e.stats().cqOverflows() > 0, "the CQ never overflowed: " + e.stats());
            assertAccounted(e);
        }
    }

    /**
     * A batch larger than the SQ: the flusher finds the SQ full, submits what it holds and goes
     * on with the rest. The first flusher is held before its io_uring_enter while other submitters
     * push their ops, so the next batch is bigger than the 8-entry SQ whatever the scheduler does.
     */
    @Test
    void aBatchLargerThanTheSqGoesInPieces() throws Exception {
        Engine[] engine = new Engine[1];
        AtomicBoolean held = new AtomicBoolean();
        Faults plan = new Faults(SEED).beforeSubmit(holdOnce(engine, held, e -> e.inFlight() >= 13));
        try (Engine e = start(plan, 8, 0)) {
            engine[0] = e;
            assertEquals(14, e.ringLimit());
            AtomicLong ok = new AtomicLong();
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 13; t++) ex.submit(() -> { if (e.nop() == 0) ok.incrementAndGet(); });
            }
            assertEquals(13, ok.get());
            assertTrue(held.get(), "no flush was held");
            assertTrue(e.stats().sqFull() > 0, "12 ops pushed behind a held flush never filled the 8-entry SQ: " + e.stats());
            assertAccounted(e);
        }
    }

    /**
     * While a submitter holds the flush, the ops pushed behind it are that flusher's to submit: the
     * completion thread, woken meanwhile by a completion, must go back to sleep rather than loop
     * until the flush ends (it did, burning a CPU for the length of every io_uring_enter made on a
     * carrier). The flush is held for 300 ms; the completion thread's CPU time over that time is
     * measured.
     */
    @Test
    void theCompletionThreadSleepsWhileAnotherThreadHoldsTheFlush() throws Exception {
        CountDownLatch holding = new CountDownLatch(1), release = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(), held = new AtomicBoolean();
        Faults plan = new Faults(SEED).beforeSubmit(() -> {
            if (!armed.get() || !held.compareAndSet(false, true)) return;
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (Engine e = start(plan, 8, 0); Arena a = Arena.ofShared()) {
            MemorySegment fds = a.allocate(8), buf = a.allocate(8), one = a.allocate(1);
            assertEquals(0, Syscalls.pipe2(fds, 0x80000 /* O_CLOEXEC */));
            int readFd = fds.get(ValueLayout.JAVA_INT, 0), writeFd = fds.get(ValueLayout.JAVA_INT, 4);
            try {
                AtomicLong pipeRead = new AtomicLong(-1);
                Thread reader = Thread.ofVirtual().start(() ->
                        pipeRead.set(e.submitAndAwait(e.acquire().prepRead(readFd, buf.address(), 8, -1))));
                while (e.stats().parkedWaits() == 0) Thread.onSpinWait(); // the pipe read is in the kernel
                armed.set(true);
                Thread flusher = Thread.ofPlatform().start(() -> e.nop()); // held in its flush
                assertTrue(holding.await(10, TimeUnit.SECONDS), "the flush was never held");
                Thread pusher = Thread.ofPlatform().start(() -> e.nop()); // pushed behind the held flush
                while (e.inFlight() < 3) Thread.onSpinWait();
                assertEquals(1, Syscalls.write(writeFd, one, 1)); // a CQE wakes the completion thread
                reader.join(10_000);
                assertEquals(1, pipeRead.get());
                long cpu0 = threads.getThreadCpuTime(e.completionThread().threadId());
                Thread.sleep(300);
                long cpu = threads.getThreadCpuTime(e.completionThread().threadId()) - cpu0;
                release.countDown();
                flusher.join(10_000);
                pusher.join(10_000);
                assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(100),
                        "the completion thread used " + cpu / 1_000_000 + " ms of CPU in 300 ms while a flush was held");
                assertAccounted(e);
            } finally {
                release.countDown();
                Syscalls.close(readFd);
                Syscalls.close(writeFd);
            }
        }
    }

    /**
     * A waiter that sees its op done may return and look at the engine while the thread that
     * completed the op has not yet run its next instruction (CI saw {@code inFlight() == 1} right
     * after the last op returned, from a completion thread preempted there). So the op must be
     * counted out before it is published. Here the completion thread is held right after
     * publishing, and the waiter, parked on a pipe read, is woken as a spurious wake-up would.
     */
    @Test
    void anOpSeenDoneIsAlreadyCountedOut() throws Exception {
        Thread[] waiter = new Thread[1];
        CountDownLatch returned = new CountDownLatch(1);
        Faults plan = new Faults(SEED).afterPublish(() -> {
            Thread w = waiter[0];
            if (w == null || w == Thread.currentThread() || returned.getCount() == 0) return;
            LockSupport.unpark(w);
            try {
                returned.await(10, TimeUnit.SECONDS); // the waiter returns meanwhile, if it sees its op done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (Engine e = start(plan, 8, 0); Arena a = Arena.ofShared()) {
            MemorySegment fds = a.allocate(8), buf = a.allocate(1);
            assertEquals(0, Syscalls.pipe2(fds, 0x80000 /* O_CLOEXEC */));
            int readFd = fds.get(ValueLayout.JAVA_INT, 0), writeFd = fds.get(ValueLayout.JAVA_INT, 4);
            long[] seen = new long[3];
            waiter[0] = Thread.ofPlatform().unstarted(() -> {
                seen[0] = e.submitAndAwait(e.acquire().prepRead(readFd, buf.address(), 1, -1));
                seen[1] = e.inFlight();
                seen[2] = e.stats().submitted() - e.stats().completed();
                returned.countDown();
            });
            waiter[0].start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiter[0].getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < deadline, "the pipe read never parked");
                Thread.sleep(1);
            }
            assertEquals(1, Syscalls.write(writeFd, buf, 1));
            waiter[0].join(10_000);
            assertEquals(0, returned.getCount(), "the waiter never returned");
            assertEquals(1, seen[0], "the read's result");
            assertEquals(0, seen[1], "inFlight() when the waiter returned");
            assertEquals(0, seen[2], "submitted - completed when the waiter returned");
            Syscalls.close(readFd);
            Syscalls.close(writeFd);
            assertAccounted(e);
        }
    }
}
