package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Interrupts and asynchronous close, as the JDK's FileChannel: a FIFO opened read/write gives a
 * read that blocks in the ring until cancelled, the deterministic "slow op".
 */
class InterruptAndCloseTest {
    @TempDir
    Path dir;

    private Path fifo() throws Exception {
        Path p = dir.resolve("fifo" + System.nanoTime());
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
        return p;
    }

    /** Starts a thread blocked in ch.read and waits until it is parked inside the op. */
    private static Thread blockedReader(FileChannel ch, AtomicReference<Throwable> outcome, AtomicReference<Boolean> status) throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                ch.read(ByteBuffer.allocate(16));
                outcome.set(new AssertionError("read returned"));
            } catch (Throwable e) {
                outcome.set(e);
            }
            status.set(Thread.currentThread().isInterrupted());
        });
        awaitWaiting(t);
        return t;
    }

    /**
     * Waits until t blocks (a loaded machine can take far longer than a fixed sleep to get it
     * there): a lone reader parks (WAITING) only in the engine, after its op was submitted.
     */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(Thread.State.WAITING, t.getState(), "thread never blocked");
    }

    @Test
    void interruptWhileBlockedClosesChannelAndOthersGetAsynchronousClose() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path fifo = fifo();
            FileChannel ch = TestIo.open(fifo, READ, WRITE);
            AtomicReference<Throwable> a = new AtomicReference<>(), b = new AtomicReference<>();
            AtomicReference<Boolean> sa = new AtomicReference<>(), sb = new AtomicReference<>();
            Thread ta = blockedReader(ch, a, sa);
            Thread tb = Thread.ofVirtual().start(() -> { // waits for the position lock, then the op
                try {
                    ch.read(ByteBuffer.allocate(16));
                } catch (Throwable e) {
                    b.set(e);
                }
                sb.set(Thread.currentThread().isInterrupted());
            });
            awaitWaiting(tb);
            ta.interrupt();
            ta.join(5000);
            tb.join(5000);
            assertFalse(ta.isAlive() || tb.isAlive(), "stuck");
            assertInstanceOf(ClosedByInterruptException.class, a.get());
            assertTrue(sa.get(), "interrupt status kept");
            assertInstanceOf(AsynchronousCloseException.class, b.get());
            assertFalse(b.get() instanceof ClosedByInterruptException);
            assertFalse(sb.get());
            assertFalse(ch.isOpen());
            // this FIFO's own descriptors: the process's count also moves with the JVM's files and
            // with mkfifo's pipes, which the JDK closes after waitFor() returned
            assertEquals(0, TestIo.openFdsOn(fifo), "descriptor leaked");
        }
    }

    @Test
    void interruptBeforeOpOnDirectChannel() throws Exception {
        Path f = dir.resolve("d");
        Files.write(f, new byte[1 << 16]);
        FileChannel ch = TestIo.open(f, Set_of_direct());
        CompletableFuture<Throwable> r = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            Thread.currentThread().interrupt();
            try {
                ch.read(ByteBuffer.allocateDirect(8192).alignedSlice(4096), 0);
                r.complete(null);
            } catch (Throwable e) {
                r.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("status lost", e));
            }
        });
        assertInstanceOf(ClosedByInterruptException.class, r.get(5, TimeUnit.SECONDS));
        assertFalse(ch.isOpen());
    }

    private static java.util.Set<java.nio.file.OpenOption> Set_of_direct() {
        return java.util.Set.of(READ, TestIo.DIRECT);
    }

    @Test
    void closeWaitsForInFlightOps() throws Exception {
        for (int round = 0; round < 20; round++) {
            FileChannel ch = TestIo.open(fifo(), READ, WRITE);
            AtomicReference<Throwable> a = new AtomicReference<>();
            AtomicReference<Boolean> sa = new AtomicReference<>();
            Thread t = blockedReader(ch, a, sa);
            assertTrue(TestIo.ENGINE.inFlight() > 0, "the read is in the ring");
            ch.close();
            t.join(5000);
            // only the fire-and-forget cancel requests may still be on their way
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (TestIo.ENGINE.inFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(0, TestIo.ENGINE.inFlight());
            assertInstanceOf(AsynchronousCloseException.class, a.get());
            assertFalse(sa.get());
        }
    }

    @Test
    void inFlightCloseWaitsForEveryOpAndRefusesNewOnes() throws Exception {
        InFlight f = new InFlight();
        assertTrue(f.enter());
        java.util.concurrent.atomic.AtomicInteger cancels = new java.util.concurrent.atomic.AtomicInteger();
        Thread closer = Thread.ofVirtual().start(() -> f.closeAndAwait(cancels::incrementAndGet));
        // A second cancel comes after a wait that ended with the op still in: close kept waiting.
        // (Counted rather than slept for: on a loaded machine the closer may not run for a while.)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cancels.get() < 2) {
            assertTrue(System.nanoTime() < deadline, "cancel requests: " + cancels.get());
            Thread.sleep(1);
        }
        assertTrue(closer.isAlive(), "close returned with an op in flight");
        assertFalse(f.enter());
        f.exit();
        closer.join(2000);
        assertFalse(closer.isAlive());
    }

    @Test
    void concurrentPositionalIoAndClose() throws Exception {
        Path f = dir.resolve("c");
        for (int round = 0; round < 5; round++) {
            FileChannel ch = TestIo.open(f, CREATE, READ, WRITE);
            int threads = 200;
            java.util.List<Thread> ts = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger unexpected = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger okOps = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < threads; i++) {
                int id = i;
                ts.add(Thread.ofVirtual().start(() -> {
                    ByteBuffer w = ByteBuffer.allocate(512), r = ByteBuffer.allocateDirect(512);
                    for (int k = 0; k < 200; k++) {
                        try {
                            w.clear();
                            while (w.hasRemaining()) w.put((byte) id);
                            w.flip();
                            ch.write(w, id * 512L);
                            r.clear();
                            ch.read(r, id * 512L);
                            r.flip();
                            while (r.hasRemaining()) if (r.get() != (byte) id) unexpected.incrementAndGet();
                            okOps.incrementAndGet();
                        } catch (java.nio.channels.ClosedChannelException e) {
                            return; // includes AsynchronousCloseException: documented outcomes of a concurrent close
                        } catch (Throwable e) {
                            unexpected.incrementAndGet();
                            e.printStackTrace();
                            return;
                        }
                    }
                }));
            }
            Thread.sleep(round * 20L);
            ch.close();
            for (Thread t : ts) t.join(10_000);
            assertEquals(0, unexpected.get(), "lost data or unexpected exceptions");
        }
        assertEquals(0, TestIo.openFdsOn(f), "descriptors leaked");
        // close's ASYNC_CANCEL ops are fire-and-forget: one may still await its CQE when close returns
        // (seen once in a full run: inFlight 1); what must not happen is an op that never completes
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (TestIo.ENGINE.inFlight() != 0 && System.nanoTime() < deadline) Thread.sleep(1);
        assertEquals(0, TestIo.ENGINE.inFlight(), () -> String.join("\n", TestIo.ENGINE.describeInFlight()));
    }
}
