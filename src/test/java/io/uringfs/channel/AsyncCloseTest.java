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
 * Closing an {@link AsynchronousFileChannel} with ops pending, from a handler running on a
 * single-thread executor: it must not wait for work queued on that very executor.
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
}
