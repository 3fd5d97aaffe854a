package io.uringfs.channel;

import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Reads and writes that block for real (a FIFO with no data, or full), on virtual and on platform
 * threads, for uring and, as the reference, the default provider: an interrupt closes the channel
 * and gives {@link ClosedByInterruptException} with the status set; a close from another thread
 * gives {@link AsynchronousCloseException} without it. Streams from {@code Files.newInputStream}
 * are uninterruptible, as the JDK's.
 *
 * <p>The default provider runs only on platform threads in the interrupt and close cases: it cannot
 * wake a virtual thread blocked in {@code read(2)} on a FIFO (its close signals native threads and
 * then waits for ever; measured with JDK 25), while uring's blocked op is a ring op that close
 * cancels.
 */
class BlockingFifoTest {
    @TempDir
    Path dir;

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private Path fifo() throws Exception {
        Path p = dir.resolve("fifo" + System.nanoTime());
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
        return p;
    }

    private static Opener opener(String provider) {
        return provider.startsWith("uring") ? (p, o) -> TestIo.open(p, o) : (p, o) -> FileChannel.open(p, o);
    }

    private static Thread.Builder builder(String kind) {
        return kind.endsWith("virtual") ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
    }

    interface Blocking {
        void run(FileChannel ch) throws Exception;
    }

    private static final Blocking READ_EMPTY = ch -> ch.read(ByteBuffer.allocate(16));
    /** A write to a FIFO {@linkplain #fill filled} beforehand: it blocks from the start. */
    private static final Blocking WRITE_FULL = ch -> ch.write(ByteBuffer.allocateDirect(1 << 16));

    private static final int O_WRONLY = 1, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

    /**
     * Opens {@code fifo} for {@code op}; for {@link #WRITE_FULL} fills its pipe first, through a
     * non-blocking descriptor of its own (the channel, open for reading too, keeps the data), so
     * that the op's one write blocks at once rather than after some writes that went through.
     */
    private static FileChannel openFor(Blocking op, String kind, Path fifo) throws Exception {
        FileChannel ch = opener(kind).open(fifo, Set.of(READ, WRITE));
        if (op == WRITE_FULL) {
            try (Arena a = Arena.ofConfined()) {
                int fd = Syscalls.openat(-100, a.allocateFrom(fifo.toString()), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
                assertTrue(fd >= 0, "open: " + fd);
                MemorySegment page = a.allocate(4096);
                while (Syscalls.write(fd, page, 4096) > 0) { } // until EAGAIN: full
                Syscalls.close(fd);
            }
        }
        return ch;
    }

    /**
     * Whether {@code t} is inside its blocking call: parked in the engine's wait for its ring op
     * (uring), or in the JDK's native read or write (default provider, whose close signals a
     * thread registered there until it leaves).
     */
    private static boolean inBlockingCall(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        if (stack.length == 0) return false;
        if (t.getState() == Thread.State.WAITING) {
            for (StackTraceElement f : stack) {
                if (f.getClassName().equals("io.uringfs.engine.Engine") && f.getMethodName().equals("submitAndAwait")) return true;
            }
        }
        String top = stack[0].getMethodName().toLowerCase(java.util.Locale.ROOT);
        return stack[0].isNativeMethod() && (top.contains("read") || top.contains("write"));
    }

    /** Waits until {@code t} is {@linkplain #inBlockingCall inside its blocking call}: a fixed sleep is too short on a loaded machine. */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!inBlockingCall(t)) {
            assertTrue(System.nanoTime() < deadline, () -> "never blocked: " + t.getState() + " "
                    + java.util.Arrays.toString(t.getStackTrace()));
            Thread.sleep(2);
        }
    }

    /** Starts {@code op} on a new thread, waits until it blocks, then returns the thread. */
    private static Thread blocked(Thread.Builder builder, FileChannel ch, Blocking op, CompletableFuture<Throwable> outcome,
                                  CompletableFuture<Boolean> status) throws Exception {
        Thread t = builder.start(() -> {
            try {
                op.run(ch);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
            status.complete(Thread.currentThread().isInterrupted());
        });
        awaitBlocked(t);
        assertFalse(outcome.isDone(), "the op did not block: " + outcome.getNow(null));
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring virtual", "uring platform", "default platform"})
    void interruptClosesWithClosedByInterrupt(String kind) throws Exception {
        for (Blocking op : new Blocking[] {READ_EMPTY, WRITE_FULL}) {
            FileChannel ch = openFor(op, kind, fifo());
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> status = new CompletableFuture<>();
            Thread t = blocked(builder(kind), ch, op, outcome, status);
            t.interrupt();
            assertInstanceOf(ClosedByInterruptException.class, outcome.get(10, TimeUnit.SECONDS), kind);
            assertTrue(status.get(10, TimeUnit.SECONDS), "interrupt status kept");
            assertFalse(ch.isOpen());
            t.join();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring virtual", "uring platform", "default platform"})
    void closeFromAnotherThreadGivesAsynchronousClose(String kind) throws Exception {
        for (Blocking op : new Blocking[] {READ_EMPTY, WRITE_FULL}) {
            Path fifo = fifo();
            FileChannel ch = openFor(op, kind, fifo);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> status = new CompletableFuture<>();
            Thread t = blocked(builder(kind), ch, op, outcome, status);
            ch.close();
            Throwable e = outcome.get(10, TimeUnit.SECONDS);
            assertInstanceOf(AsynchronousCloseException.class, e, kind);
            assertFalse(e instanceof ClosedByInterruptException);
            assertFalse(status.get(10, TimeUnit.SECONDS));
            t.join();
            // the FIFO's own descriptors: the process's count also moves with the JVM's files and
            // with mkfifo's pipes, which the JDK closes after waitFor() returned
            assertEquals(0, TestIo.openFdsOn(fifo), "descriptor closed");
        }
    }

    /**
     * A virtual thread's read of an empty FIFO parks in the ring (where close can cancel it) instead
     * of holding its carrier in {@code read(2)}, even after thousands of reads that found data:
     * neither what makes a regular file's cached reads plain calls nor the FIFO's refusal of
     * {@code RWF_NOWAIT} (this kernel answers {@code EOPNOTSUPP}) may turn it into a plain read.
     * Each cycle first reads 4,096 bytes one at a time, each written just before.
     */
    @Test
    void aVirtualThreadsFifoReadParksHoweverOftenItsDataWasReady() throws Exception {
        Path fifo = fifo();
        try (FileChannel ch = TestIo.open(fifo, Set.of(READ, WRITE)); FileChannel feeder = FileChannel.open(fifo, WRITE)) {
            for (int c = 0; c < 5; c++) {
                int cycle = c;
                CompletableFuture<Object> outcome = new CompletableFuture<>();
                CountDownLatch lastRead = new CountDownLatch(1);
                Thread t = Thread.ofVirtual().start(() -> {
                    try {
                        ByteBuffer one = ByteBuffer.allocateDirect(1);
                        for (int i = 0; i < 4096; i++) {
                            ch.write(one.clear().put((byte) i).flip());
                            if (ch.read(one.clear()) != 1 || one.get(0) != (byte) i) throw new AssertionError("read " + i);
                        }
                        lastRead.countDown();
                        outcome.complete(ch.read(one.clear()) == 1 ? one.get(0) : "short");
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                assertTrue(lastRead.await(10, TimeUnit.SECONDS), () -> "warm-up: " + outcome.getNow(null));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(2);
                assertFalse(outcome.isDone(), () -> "the read did not block: " + outcome.getNow(null));
                Thread.State state = t.getState();
                String stack = java.util.Arrays.toString(t.getStackTrace());
                feeder.write(ByteBuffer.wrap(new byte[] {42})); // ends the read, parked or not
                assertEquals((byte) 42, outcome.get(10, TimeUnit.SECONDS));
                t.join();
                assertEquals(Thread.State.WAITING, state, () -> "cycle " + cycle + ": blocked in " + stack);
            }
        }
    }

    /** The JDK's streams ignore interrupts: the read stays blocked until data comes, status kept. */
    @ParameterizedTest
    @ValueSource(strings = {"uring virtual", "uring platform", "default virtual", "default platform"})
    void inputStreamIsUninterruptible(String kind) throws Exception {
        Path fifo = fifo();
        Path path = kind.startsWith("uring") ? Path.of(URI.create("uring://" + fifo)) : fifo;
        try (FileChannel writer = FileChannel.open(fifo, READ, WRITE); InputStream in = Files.newInputStream(path)) {
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> status = new CompletableFuture<>();
            Thread t = builder(kind).start(() -> {
                try {
                    outcome.complete(in.read());
                } catch (Throwable e) {
                    outcome.complete(e);
                }
                status.complete(Thread.currentThread().isInterrupted());
            });
            awaitBlocked(t);
            t.interrupt();
            Thread.sleep(150); // time for a wrongly interruptible read to end
            assertFalse(outcome.isDone(), "an interrupt ended a stream read: " + outcome.getNow(null));
            writer.write(ByteBuffer.wrap(new byte[] {42}));
            assertEquals(42, outcome.get(10, TimeUnit.SECONDS));
            assertTrue(status.get(10, TimeUnit.SECONDS), "interrupt status kept");
            t.join();
        }
    }

    /** A large write to a FIFO that a reader drains completes in full, like a blocking write(2). */
    @ParameterizedTest
    @ValueSource(strings = {"uring virtual", "uring platform", "default virtual", "default platform"})
    void largeFifoWriteIsNotShort(String kind) throws Exception {
        Path fifo = fifo();
        try (FileChannel ch = opener(kind).open(fifo, Set.of(READ, WRITE));
             FileChannel reader = FileChannel.open(fifo, READ)) {
            int size = 1 << 20;
            CompletableFuture<Long> drained = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                long n = 0;
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                try {
                    while (n < size) n += reader.read(b.clear());
                    drained.complete(n);
                } catch (Throwable e) {
                    drained.completeExceptionally(e);
                }
            });
            CompletableFuture<Integer> wrote = new CompletableFuture<>();
            builder(kind).start(() -> {
                try {
                    wrote.complete(ch.write(ByteBuffer.allocate(size)));
                } catch (Throwable e) {
                    wrote.completeExceptionally(e);
                }
            });
            assertEquals(size, wrote.get(10, TimeUnit.SECONDS));
            assertEquals(size, drained.get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * More virtual threads blocked reading a FIFO than the ring holds ops (224 while buffered reads
     * are in it) hold back neither the write that feeds them nor an unrelated mkdir: ops stalled in
     * the kernel stop counting against the ring limit (see {@code Engine}). Before, both waited
     * behind the readers for ever.
     */
    @Test
    void moreBlockedFifoReadersThanTheRingHoldsDoNotHoldBackOtherOps() throws Exception {
        Path fifo = fifo();
        int readers = TestIo.ENGINE.bufferedRingLimit() + 50;
        long inFlightBefore = TestIo.ENGINE.inFlight();
        java.util.List<FileChannel> channels = new java.util.ArrayList<>();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger eight = new java.util.concurrent.atomic.AtomicInteger();
        try {
            for (int i = 0; i < readers; i++) {
                FileChannel ch = TestIo.open(fifo, Set.of(READ, WRITE));
                channels.add(ch);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (ch.read(ByteBuffer.allocate(8)) == 8) eight.incrementAndGet();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (TestIo.ENGINE.inFlight() < inFlightBefore + readers) {
                assertTrue(System.nanoTime() < deadline, "readers never blocked: " + TestIo.ENGINE.describeInFlight().get(0));
                Thread.sleep(2);
            }
            CompletableFuture<Integer> made = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    made.complete(TestIo.IO.mkdirat(-100, a.allocateFrom(dir.resolve("other").toString()), 0755));
                }
            });
            assertEquals(0, made.get(10, TimeUnit.SECONDS), "an unrelated ring op (mkdirat) waited behind the readers");
            assertTrue(Files.isDirectory(dir.resolve("other")));
            CompletableFuture<Integer> wrote = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try (FileChannel w = TestIo.open(fifo, Set.of(WRITE))) {
                    wrote.complete(w.write(ByteBuffer.allocate(8 * readers)));
                } catch (Throwable e) {
                    wrote.completeExceptionally(e);
                }
            });
            assertEquals(8 * readers, wrote.get(10, TimeUnit.SECONDS), "the write that feeds the readers waited behind them");
            for (Thread t : threads) t.join(10_000);
            assertEquals(readers, eight.get());
        } finally {
            for (FileChannel ch : channels) ch.close();
        }
    }
}
