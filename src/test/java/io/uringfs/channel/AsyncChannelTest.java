package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

class AsyncChannelTest {
    @TempDir
    Path dir;

    @Test
    void futuresAndHandlersOnTheGivenExecutor() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(2, r -> new Thread(r, "handler-pool"));
        try (AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, dir.resolve("a"), ex, CREATE, READ, WRITE)) {
            assertEquals(5, ch.write(ByteBuffer.wrap("hello".getBytes()), 0).get());
            assertEquals(5, ch.size());
            CompletableFuture<String> where = new CompletableFuture<>();
            ByteBuffer b = ByteBuffer.allocate(5);
            ch.read(b, 0, "att", new CompletionHandler<Integer, String>() {
                public void completed(Integer n, String att) {
                    where.complete(n + " " + att + " " + Thread.currentThread().getName());
                }

                public void failed(Throwable exc, String att) {
                    where.completeExceptionally(exc);
                }
            });
            String r = where.get(5, TimeUnit.SECONDS);
            assertEquals("5 att handler-pool", r);
            assertNotEquals(TestIo.ENGINE.completionThread().getName(), r.substring(8));
            assertEquals("hello", new String(b.array()));
            assertEquals(-1, ch.read(ByteBuffer.allocate(1), 10).get());
            assertEquals(0, ch.read(ByteBuffer.allocate(0), 0).get());
            ch.truncate(2);
            ch.force(true);
            assertEquals(2, ch.size());
            assertNotNull(ch.tryLock());
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void defaultHandlersRunOnVirtualThreads() throws Exception {
        try (AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, dir.resolve("v"), null, CREATE, WRITE)) {
            CompletableFuture<Thread> t = new CompletableFuture<>();
            ch.write(ByteBuffer.allocateDirect(3), 0, null, new CompletionHandler<Integer, Void>() {
                public void completed(Integer n, Void v) { t.complete(Thread.currentThread()); }
                public void failed(Throwable e, Void v) { t.completeExceptionally(e); }
            });
            assertTrue(t.get(5, TimeUnit.SECONDS).isVirtual());
        }
    }

    @Test
    void closeWithPendingOpsFailsThemWithAsynchronousClose() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, fifo, null, READ, WRITE);
        assertEquals(1, TestIo.openFdsOn(fifo), "the channel's descriptor");
        List<Future<Integer>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) pending.add(ch.read(ByteBuffer.allocate(8), 0));
        Thread.sleep(100);
        for (Future<Integer> f : pending) assertFalse(f.isDone());
        ch.close();
        for (Future<Integer> f : pending) {
            assertTrue(f.isDone(), "completed before close returned");
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        }
        assertEquals(0, TestIo.openFdsOn(fifo), "descriptor closed");
    }

    @Test
    void fallbackModeRunsPlainSyscalls() throws Exception {
        try (AsynchronousFileChannel ch = TestIo.openAsync(TestIo.PLAIN, dir.resolve("p"), null, CREATE, READ, WRITE)) {
            assertEquals(4, ch.write(ByteBuffer.wrap("abcd".getBytes()), 2).get());
            ByteBuffer b = ByteBuffer.allocate(6);
            assertEquals(6, ch.read(b, 0).get());
            assertEquals(0, b.get(0));
            assertEquals('d', b.get(5));
        }
    }
}
