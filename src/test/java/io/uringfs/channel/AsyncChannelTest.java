package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * Ops still pending at close (lock requests waiting for a lock another channel holds: the
     * JDK's classic POSIX lock, which OFD locks conflict with even within one process) all end
     * with AsynchronousCloseException, and the channel's descriptor is closed when close returns.
     */
    @Test
    void closeWithPendingOpsFailsThemWithAsynchronousClose() throws Exception {
        Path f = Files.write(dir.resolve("locked"), new byte[64]);
        try (FileChannel holder = FileChannel.open(f, READ, WRITE); FileLock held = holder.lock()) {
            AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, f, null, READ, WRITE);
            assertEquals(2, TestIo.openFdsOn(f), "the holder's and the channel's descriptors");
            List<Future<FileLock>> pending = new ArrayList<>();
            for (int i = 0; i < 20; i++) pending.add(ch.lock(i, 1, false));
            Thread.sleep(100);
            for (Future<FileLock> p : pending) assertFalse(p.isDone(), "waits for the holder's lock");
            ch.close();
            for (Future<FileLock> p : pending) {
                // a waiter notices the close at its next try (<= 20 ms back-off); like the JDK's,
                // its future completes after it left the channel, so possibly after close returned
                ExecutionException e = assertThrows(ExecutionException.class, () -> p.get(5, TimeUnit.SECONDS));
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
            assertEquals(1, TestIo.openFdsOn(f), "the channel's descriptor closed");
            assertTrue(held.isValid());
        }
    }

    private static String fifoOutcomes(AsynchronousFileChannel ch) throws Exception {
        List<String> out = new ArrayList<>();
        try (ch) {
            // more than a pipe holds: a ring write would complete short
            out.add("write big " + Outcome.of(() -> ch.write(ByteBuffer.allocateDirect(1 << 20), 0)));
            out.add("write heap at 5 " + Outcome.of(() -> ch.write(ByteBuffer.wrap(new byte[10]), 5)));
            out.add("read " + Outcome.of(() -> ch.read(ByteBuffer.allocate(10), 0)));
            CompletableFuture<String> handled = new CompletableFuture<>();
            ch.write(ByteBuffer.wrap(new byte[3]), 0, "att", new CompletionHandler<Integer, String>() {
                public void completed(Integer n, String a) { handled.complete("completed " + n + " " + a); }
                public void failed(Throwable e, String a) { handled.complete("failed " + Outcome.describe(e) + " " + a); }
            });
            out.add("handler " + handled.get(5, TimeUnit.SECONDS));
            out.add("empty write " + Outcome.of(() -> ch.write(ByteBuffer.allocate(0), 0)));
            out.add("size " + Outcome.of(ch::size));
        }
        return String.join("\n", out);
    }

    /**
     * On a FIFO the JDK's AsynchronousFileChannel reads and writes with pread/pwrite, which fail
     * with ESPIPE; uring's must too (a ring write would ignore the offset and complete short).
     */
    @Test
    void fifoReadsAndWritesFailLikeTheJdks() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String jdk = fifoOutcomes(AsynchronousFileChannel.open(fifo, READ, WRITE));
        assertTrue(jdk.contains("Illegal seek"), jdk);
        assertEquals(jdk, fifoOutcomes(TestIo.openAsync(TestIo.IO, fifo, null, READ, WRITE)), "ring");
        assertEquals(jdk, fifoOutcomes(TestIo.openAsync(TestIo.PLAIN, fifo, null, READ, WRITE)), "plain system calls");
        assertEquals(0, TestIo.openFdsOn(fifo), "descriptors closed");
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
