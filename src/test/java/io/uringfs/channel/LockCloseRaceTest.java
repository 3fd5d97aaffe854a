package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A channel's first lock request races its close, with random timing (a platform thread locks,
 * the test thread closes; they set off together and each spins a random time first): whatever
 * the interleaving, the lock request either fails with {@link ClosedChannelException} (or its
 * subclass {@code AsynchronousCloseException}) or returns a lock that is invalid once close has
 * returned, no descriptor is left open, and the JVM-wide lock table keeps nothing of the closed
 * channel, so a fresh channel can lock the whole file.
 *
 * <p>The leak this guards against: a close that read the channel's file key before the first lock
 * request had set it skipped the lock table, and a {@code tryLock} that got past it (it did not
 * look at {@code isOpen()} after adding its entry) left the entry for good, so every later lock
 * on that file in the JVM threw {@code OverlappingFileLockException}. That window is a few
 * statements wide, and needs the closing thread to stall inside it: this test did not hit it in
 * 3 x 2,000 rounds against the old code. What it shows is that the invariants hold across the
 * interleavings it does reach (close before, during and after the request, for all four kinds).
 *
 * <p>The seed ({@code -Duringfs.lockrace.seed=S}) fixes the requests and delays; the interleaving
 * also depends on the scheduler. A failure names the seed and the round; the outcomes are printed.
 */
class LockCloseRaceTest {
    private static final long SEED = Long.getLong("uringfs.lockrace.seed", 0x10C4C105EL);
    private static final int ROUNDS = 2000;
    private static final long SPIN_NANOS = 3_000;

    @TempDir
    Path dir;

    private enum Request { LOCK, TRY_LOCK, ASYNC_LOCK, ASYNC_TRY_LOCK }

    @Test
    void closeRacingTheFirstLockLeavesNoLockBehind() throws Exception {
        Path f = Files.write(dir.resolve("locked"), new byte[64]);
        SplittableRandom rnd = new SplittableRandom(SEED);
        Map<String, Integer> seen = new TreeMap<>();
        try (Locker locker = new Locker()) {
            for (int round = 0; round < ROUNDS; round++) {
                Request request = Request.values()[rnd.nextInt(Request.values().length)];
                boolean shared = rnd.nextBoolean();
                long position = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(64);
                long size = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(64);
                // a lock request takes a few µs; the close lands before, inside or after it
                long lockerSpin = rnd.nextLong(SPIN_NANOS), closerSpin = rnd.nextLong(SPIN_NANOS);
                String what = "seed " + SEED + " round " + round + ": " + request + (shared ? " shared " : " exclusive ")
                        + position + "+" + size + ", spins " + lockerSpin + "/" + closerSpin + " ns";
                try {
                    seen.merge(request + " " + race(locker, f, request, shared, position, size, lockerSpin, closerSpin), 1, Integer::sum);
                    try (FileChannel fresh = TestIo.open(f, READ, WRITE)) {
                        FileLock whole = fresh.tryLock();
                        assertNotNull(whole, "a fresh channel cannot lock the file");
                        whole.release();
                    }
                    assertEquals(0, TestIo.openFdsOn(f), "descriptors left open");
                } catch (Throwable e) {
                    throw new AssertionError(what + ": " + e, e);
                }
            }
        }
        System.out.println("lock/close race, seed " + SEED + ", " + ROUNDS + " rounds: " + seen);
    }

    /** One round: returns what the lock request did. */
    private static String race(Locker locker, Path f, Request request, boolean shared, long position, long size,
                               long lockerSpin, long closerSpin) throws Exception {
        boolean async = request == Request.ASYNC_LOCK || request == Request.ASYNC_TRY_LOCK;
        FileChannel sync = async ? null : TestIo.open(f, READ, WRITE);
        AsynchronousFileChannel asyncCh = async ? TestIo.openAsync(TestIo.IO, f, null, READ, WRITE) : null;
        Channel ch = async ? asyncCh : sync;
        locker.start(lockerSpin, () -> switch (request) {
            case LOCK -> sync.lock(position, size, shared);
            case TRY_LOCK -> sync.tryLock(position, size, shared);
            case ASYNC_LOCK -> asyncCh.lock(position, size, shared).get(10, TimeUnit.SECONDS);
            case ASYNC_TRY_LOCK -> asyncCh.tryLock(position, size, shared);
        });
        spin(closerSpin);
        ch.close();
        Object r = locker.await();
        assertFalse(ch.isOpen());
        if (r instanceof ExecutionException e) r = e.getCause();
        if (r instanceof FileLock l) {
            assertFalse(l.isValid(), "a lock of a closed channel is still valid");
            return "locked";
        }
        if (r instanceof ClosedChannelException e) return e.getClass().getSimpleName();
        if (r instanceof Throwable e) throw new AssertionError("unexpected outcome", e);
        throw new AssertionError("lock request returned " + r);
    }

    /** A delay finer than any sleep. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    private interface LockRequest {
        Object run() throws Exception;
    }

    /**
     * The platform thread that makes the lock requests, kept for all rounds (starting a thread
     * per round costs milliseconds on a loaded machine). {@link #start} hands it a request and
     * returns when it is about to run it, so the two threads set off together.
     */
    private static final class Locker implements AutoCloseable {
        private final Thread thread;
        private final Thread test = Thread.currentThread();
        private volatile LockRequest request;
        private volatile long spinNanos;
        private volatile boolean go, done, stop;
        private volatile Object result;

        Locker() {
            thread = Thread.ofPlatform().daemon().name("locker").start(this::loop);
        }

        private void loop() {
            while (true) {
                LockRequest r;
                while ((r = request) == null) {
                    if (stop) return;
                    LockSupport.park(this);
                }
                request = null;
                go = true;
                spin(spinNanos);
                Object out;
                try {
                    out = r.run();
                } catch (Throwable e) {
                    out = e;
                }
                result = out;
                done = true;
                LockSupport.unpark(test);
            }
        }

        void start(long spin, LockRequest r) {
            go = done = false;
            spinNanos = spin;
            request = r;
            LockSupport.unpark(thread);
            while (!go) Thread.onSpinWait();
        }

        Object await() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!done) {
                assertTrue(System.nanoTime() < deadline, "lock request stuck");
                LockSupport.parkNanos(this, 1_000_000);
            }
            return result;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            LockSupport.unpark(thread);
            thread.join();
        }
    }
}
