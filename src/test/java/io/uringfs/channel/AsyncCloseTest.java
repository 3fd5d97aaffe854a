package io.uringfs.channel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Closing an {@link AsynchronousFileChannel} with ops pending: from a handler running on a
 * single-thread executor (which must not wait for work queued on that very executor), and with
 * reads and writes waiting in the ring, which must all end with {@link AsynchronousCloseException}.
 */
class AsyncCloseTest {
    private static final String HANDLER_THREAD = "single-handler-thread";

    @TempDir
    Path dir;

    private final ExecutorService single = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, HANDLER_THREAD);
        t.setDaemon(true); // a deadlocked handler must not keep the test JVM alive
        return t;
    });

    @AfterEach
    void shutdown() {
        single.shutdownNow();
    }

    /** A handler that records "completed/failed ... on THREAD". */
    private static <V> CompletionHandler<V, Object> recorder(CompletableFuture<String> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V v, Object a) {
                into.complete("completed on " + Thread.currentThread().getName());
            }

            @Override
            public void failed(Throwable e, Object a) {
                into.complete("failed " + e.getClass().getSimpleName() + " on " + Thread.currentThread().getName());
            }
        };
    }

    private static void assertAsynchronousClose(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }

    /**
     * Two lock requests wait for a range another channel holds (the JDK's POSIX lock, which the
     * OFD locks conflict with within one process too); then a third lock is granted, and its
     * handler, on the channel's only executor thread, closes the channel. The waits must not
     * occupy that thread (or the granted lock's handler never runs), and close must not wait for
     * anything queued behind the handler; the waiting requests end with AsynchronousCloseException,
     * the handler's one on the executor.
     */
    @Test
    void handlerOnASingleThreadExecutorClosesWhileLocksArePending() throws Exception {
        Path f = Files.write(dir.resolve("locked"), new byte[64]);
        try (FileChannel holder = FileChannel.open(f, READ, WRITE); FileLock held = holder.lock(10, 10, false)) {
            AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, f, single, READ, WRITE);
            Future<FileLock> pendingFuture = ch.lock(10, 1, false);
            CompletableFuture<String> pendingHandler = new CompletableFuture<>();
            ch.lock(15, 1, false, null, recorder(pendingHandler));
            Thread.sleep(50);
            assertFalse(pendingFuture.isDone() || pendingHandler.isDone(), "granted while held");

            CompletableFuture<String> closing = new CompletableFuture<>();
            ch.lock(0, 1, false, null, new CompletionHandler<FileLock, Object>() {
                @Override
                public void completed(FileLock l, Object a) {
                    try {
                        ch.close();
                        closing.complete("closed on " + Thread.currentThread().getName() + ", lock valid " + l.isValid());
                    } catch (IOException e) {
                        closing.completeExceptionally(e);
                    }
                }

                @Override
                public void failed(Throwable e, Object a) {
                    closing.completeExceptionally(e);
                }
            });
            assertEquals("closed on " + HANDLER_THREAD + ", lock valid false", closing.get(10, TimeUnit.SECONDS));
            assertAsynchronousClose(pendingFuture);
            assertEquals("failed AsynchronousCloseException on " + HANDLER_THREAD, pendingHandler.get(10, TimeUnit.SECONDS));
            assertTrue(held.isValid());
            assertEquals(1, TestIo.openFdsOn(f), "only the holder's descriptor is left");
        }
    }

    /**
     * Fallback mode (no ring): the plain system calls must not run on the executor either. The
     * executor is kept busy while a read with a closing handler and further reads are issued; if
     * the reads queued there, the handler (run after its read) would close the channel and wait
     * for ever for the reads queued behind it.
     */
    @Test
    void fallbackHandlerOnASingleThreadExecutorClosesWithReadsIssued() throws Exception {
        Path f = Files.write(dir.resolve("plain"), new byte[4096]);
        AsynchronousFileChannel ch = TestIo.openAsync(TestIo.PLAIN, f, single, READ, WRITE);
        CountDownLatch gate = new CountDownLatch(1);
        single.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<String> closing = new CompletableFuture<>();
        ch.read(ByteBuffer.allocate(16), 0, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                try {
                    ch.close();
                    closing.complete("read " + n + ", closed on " + Thread.currentThread().getName());
                } catch (IOException e) {
                    closing.completeExceptionally(e);
                }
            }

            @Override
            public void failed(Throwable e, Object a) {
                closing.completeExceptionally(e);
            }
        });
        List<Future<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 20; i++) reads.add(ch.read(ByteBuffer.allocate(16), i * 16L));
        gate.countDown();
        assertEquals("read 16, closed on " + HANDLER_THREAD, closing.get(10, TimeUnit.SECONDS));
        // issued before the close began, so they ran to the end
        for (Future<Integer> r : reads) assertEquals(16, r.get(10, TimeUnit.SECONDS));
        assertEquals(0, TestIo.openFdsOn(f));
    }

    /**
     * Reads of an empty FIFO, and writes to a full one, wait in the ring until close cancels them;
     * every pending Future and handler then ends with AsynchronousCloseException (handlers on the
     * executor if there is one, else on a virtual thread).
     *
     * <p>Not compared with the JDK: its AsynchronousFileChannel reads and writes with
     * pread/pwrite, which fail at once on a FIFO ("Illegal seek"), and so does ours, on purpose
     * ({@code fifoReadsAndWritesFailLikeTheJdks} in {@link AsyncChannelTest}). No other file a
     * test can open keeps a positioned read waiting for as long as it likes, so this test lets the
     * FIFO past that check ({@link TestIo#letThroughTheSeekCheck}): the ring then reads and writes it as
     * a stream, and the ops stay pending.
     */
    @Test
    void closeFailsEveryPendingRingReadAndWrite() throws Exception {
        for (ExecutorService executor : new ExecutorService[] {null, single}) {
            String where = executor == null ? "uringfs-async-" : HANDLER_THREAD; // the pool's virtual threads, or the executor
            Path fifo = dir.resolve("fifo" + (executor == null ? "" : "-executor"));
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

            AsynchronousFileChannel reading = TestIo.openAsync(TestIo.IO, fifo, executor, READ, WRITE);
            TestIo.letThroughTheSeekCheck(reading);
            List<Future<Integer>> futures = new ArrayList<>();
            List<CompletableFuture<String>> handlers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ByteBuffer b = i % 2 == 0 ? ByteBuffer.allocate(64) : ByteBuffer.allocateDirect(64);
                futures.add(reading.read(b, 0));
                CompletableFuture<String> h = new CompletableFuture<>();
                reading.read(i % 2 == 0 ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64), 0, null, recorder(h));
                handlers.add(h);
            }
            awaitPendingThenClose(reading, futures, handlers, where, "reads");

            AsynchronousFileChannel writing = TestIo.openAsync(TestIo.IO, fifo, executor, READ, WRITE);
            TestIo.letThroughTheSeekCheck(writing);
            // a ring write to a pipe takes what fits: this fills it
            int filled = writing.write(ByteBuffer.allocateDirect(1 << 20), 0).get(10, TimeUnit.SECONDS);
            assertTrue(filled > 0 && filled < 1 << 20, "filled " + filled);
            futures.clear();
            handlers.clear();
            for (int i = 0; i < 8; i++) {
                futures.add(writing.write(i % 2 == 0 ? ByteBuffer.allocate(64) : ByteBuffer.allocateDirect(64), 0));
                CompletableFuture<String> h = new CompletableFuture<>();
                writing.write(ByteBuffer.allocate(64), 0, null, recorder(h));
                handlers.add(h);
            }
            awaitPendingThenClose(writing, futures, handlers, where, "writes");
            assertEquals(0, TestIo.openFdsOn(fifo), "descriptors closed");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (TestIo.ENGINE.inFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
        assertEquals(0, TestIo.ENGINE.inFlight(), "ops left in the ring");
    }

    private static void awaitPendingThenClose(AsynchronousFileChannel ch, List<Future<Integer>> futures,
                                              List<CompletableFuture<String>> handlers, String where, String what)
            throws Exception {
        // waiting in the ring, which is what close is to cancel (counted: a fixed sleep proves nothing)
        int ops = futures.size() + handlers.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (TestIo.ENGINE.inFlight() < ops) {
            assertTrue(System.nanoTime() < deadline, what + " in the ring: " + TestIo.ENGINE.inFlight() + " of " + ops);
            Thread.sleep(1);
        }
        for (Future<Integer> f : futures) assertFalse(f.isDone(), what + " pending before close");
        for (CompletableFuture<String> h : handlers) assertFalse(h.isDone(), what + " pending before close");
        ch.close();
        for (Future<Integer> f : futures) assertAsynchronousClose(f);
        for (CompletableFuture<String> h : handlers) {
            String got = h.get(10, TimeUnit.SECONDS);
            assertTrue(got.startsWith("failed AsynchronousCloseException on " + where), what + ": " + got);
        }
    }
}
