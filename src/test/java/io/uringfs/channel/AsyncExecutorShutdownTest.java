package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An {@link AsynchronousFileChannel} whose executor is shut down, compared with the default
 * provider's: there every read, write and lock is a task for the executor, so each is refused
 * with {@code RejectedExecutionException} and does nothing (the file and the lock table stay as
 * they were), and a result handed to a handler at once (closed channel, empty buffer) fails with
 * {@code ShutdownChannelGroupException}. Ops started before the shutdown still complete.
 */
class AsyncExecutorShutdownTest {
    private static final String REJECTED = RejectedExecutionException.class.getName();

    @TempDir
    Path dir;

    interface Opener {
        AsynchronousFileChannel open(Path p, Set<OpenOption> o, ExecutorService ex) throws Exception;
    }

    /** uring's channels, compared with {@code AsynchronousFileChannel::open} of the default provider. */
    private static final Map<String, Opener> URING = Map.of(
            "provider", (p, o, ex) -> AsynchronousFileChannel.open(Path.of(URI.create("uring://" + p)), o, ex),
            "ring", (p, o, ex) -> TestIo.openAsync(TestIo.IO, p, ex, o.toArray(OpenOption[]::new)),
            "fallback", (p, o, ex) -> TestIo.openAsync(TestIo.PLAIN, p, ex, o.toArray(OpenOption[]::new)));

    private static final Map<String, Supplier<ExecutorService>> EXECUTORS = Map.of(
            "single-thread", Executors::newSingleThreadExecutor,
            "virtual-thread-per-task", Executors::newVirtualThreadPerTaskExecutor);

    /** {@link Outcome#of}, with a rejection by class only: its message names the executor and the task. */
    private static String outcome(Outcome.Op op) {
        String s = Outcome.of(op);
        return s.startsWith(REJECTED) ? REJECTED : s;
    }

    private List<String> shutDownExecutor(Opener opener, Path f, ExecutorService ex) throws Exception {
        Files.writeString(f, "0123456789");
        Path fifo = f.resolveSibling(f.getFileName() + ".fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        ex.shutdown();
        List<String> out = new ArrayList<>();
        AsynchronousFileChannel ch = opener.open(f, Set.of(READ, WRITE), ex);
        ByteBuffer heap = ByteBuffer.allocate(4), direct = ByteBuffer.allocateDirect(4);
        out.add(outcome(() -> ch.read(heap, 0)));
        out.add(outcome(() -> ch.read(direct, 0)));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.read(heap, 0, null, h))));
        out.add("positions " + heap.position() + " " + direct.position());
        out.add(outcome(() -> ch.write(ByteBuffer.wrap("ab".getBytes()), 0)));
        out.add(outcome(() -> ch.write(ByteBuffer.allocateDirect(2), 2)));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.write(ByteBuffer.wrap("cd".getBytes()), 4, null, h))));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.write(ByteBuffer.wrap("ef".getBytes()), 10, null, h))));
        out.add(outcome(() -> Files.readString(f)));
        out.add(outcome(() -> ch.lock(0, 1, false).get(10, TimeUnit.SECONDS).isValid()));
        out.add(outcome(() -> ch.lock(2, 1, true).get(10, TimeUnit.SECONDS).isValid()));
        out.add(outcome(() -> Outcome.<FileLock>handler(h -> ch.lock(4, 1, false, null, h)).get(10, TimeUnit.SECONDS).isValid()));
        // the refused locks left nothing in the lock table; an overlap is reported before the refusal
        out.add(outcome(() -> ch.tryLock(0, 5, false).isValid()));
        out.add(outcome(() -> ch.lock(0, 1, false)));
        out.add(outcome(() -> Outcome.<FileLock>handler(h -> ch.lock(4, 1, false, null, h))));
        // argument checks come first
        out.add(outcome(() -> ch.read(heap, -1)));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.read(heap.asReadOnlyBuffer(), 0, null, h))));
        // empty buffers: a Future completes at once, a handler goes through the executor
        out.add(outcome(() -> ch.read(ByteBuffer.allocate(0), 0)));
        out.add(outcome(() -> ch.write(ByteBuffer.allocate(0), 0)));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.read(ByteBuffer.allocate(0), 0, null, h))));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.write(ByteBuffer.allocateDirect(0), 0, null, h))));
        // what does not run on the executor
        out.add(outcome(ch::size));
        out.add(outcome(() -> {
            ch.force(true);
            return ch.truncate(8).size();
        }));
        ch.close();
        out.add(outcome(() -> ch.read(heap, 0)));
        out.add(outcome(() -> ch.write(heap, 0)));
        out.add(outcome(() -> ch.lock(0, 1, false)));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.read(heap, 0, null, h))));
        out.add(outcome(() -> Outcome.<Integer>handler(h -> ch.write(heap, 0, null, h))));
        out.add(outcome(() -> Outcome.<FileLock>handler(h -> ch.lock(0, 1, false, null, h))));
        out.add(outcome(() -> Files.readString(f)));
        // a FIFO, whose reads fail with ESPIPE: the refusal comes first
        try (AsynchronousFileChannel pipe = opener.open(fifo, Set.of(READ, WRITE), ex)) {
            out.add(outcome(() -> pipe.read(ByteBuffer.allocate(1), 0)));
            out.add(outcome(() -> Outcome.<Integer>handler(h -> pipe.write(ByteBuffer.allocate(1), 0, null, h))));
        }
        return out;
    }

    @Test
    void shutDownExecutorRefusesOpsAsTheJdksDoes() throws Exception {
        for (var e : EXECUTORS.entrySet()) {
            List<String> jdk = shutDownExecutor(AsynchronousFileChannel::open, dir.resolve("jdk-" + e.getKey()), e.getValue().get());
            assertTrue(jdk.contains(REJECTED), jdk.toString());
            for (var u : URING.entrySet()) {
                List<String> uring = shutDownExecutor(u.getValue(), dir.resolve(u.getKey() + "-" + e.getKey()), e.getValue().get());
                assertEquals(String.join("\n", jdk), String.join("\n", uring), u.getKey() + ", " + e.getKey());
            }
        }
    }

    /** Ops issued while the executor ran complete after its shutdown, and close does not wait for them. */
    private List<String> shutDownWhilePending(Opener opener, Path f) throws Exception {
        Files.writeString(f, "0123456789");
        ExecutorService ex = Executors.newSingleThreadExecutor();
        AsynchronousFileChannel ch = opener.open(f, Set.of(READ, WRITE), ex);
        ByteBuffer read = ByteBuffer.allocate(4); // racing the writes, which the ring may run first
        CompletableFuture<Integer> handled = Outcome.<Integer>handler(h -> ch.read(read, 0, null, h));
        CompletableFuture<Integer> written = Outcome.<Integer>handler(h -> ch.write(ByteBuffer.wrap("ab".getBytes()), 10, null, h));
        Future<Integer> future = ch.write(ByteBuffer.wrap("cd".getBytes()), 12);
        ex.shutdown();
        List<String> out = new ArrayList<>();
        out.add(outcome(() -> handled));
        out.add(outcome(() -> written));
        out.add(outcome(() -> future));
        out.add(outcome(() -> {
            ch.close();
            return ch.isOpen();
        }));
        out.add(outcome(() -> Files.readString(f)));
        return out;
    }

    @Test
    void opsIssuedBeforeTheShutdownComplete() throws Exception {
        List<String> jdk = shutDownWhilePending(AsynchronousFileChannel::open, dir.resolve("jdk"));
        for (var u : URING.entrySet()) {
            List<String> uring = shutDownWhilePending(u.getValue(), dir.resolve(u.getKey()));
            assertEquals(String.join("\n", jdk), String.join("\n", uring), u.getKey());
        }
    }

    /**
     * Not compared with the JDK, whose pending op is a task the executor has accepted and which
     * calls the handler itself. A uring op is not: when it completes after the shutdown, the
     * executor refuses its handler, which must then run on the pool, and close must not wait for
     * it. A lock waits for a range another channel holds; a ring read of a FIFO (let past the seek
     * check) waits for data.
     */
    @Test
    void aHandlerRefusedAfterTheOpStartedRunsOnThePool() throws Exception {
        for (var io : List.of(TestIo.IO, TestIo.PLAIN)) {
            Path f = Files.write(dir.resolve(io == TestIo.IO ? "ring" : "fallback"), new byte[16]);
            try (FileChannel holder = FileChannel.open(f, READ, WRITE)) {
                FileLock held = holder.lock(0, 1, false);
                ExecutorService ex = Executors.newSingleThreadExecutor();
                AsynchronousFileChannel ch = TestIo.openAsync(io, f, ex, READ, WRITE);
                CompletableFuture<String> locked = new CompletableFuture<>();
                ch.lock(0, 1, false, null, recorder(locked));
                Thread.sleep(50);
                assertFalse(locked.isDone(), "granted while held");
                ex.shutdown();
                held.release();
                assertTrue(locked.get(10, TimeUnit.SECONDS).startsWith("completed on uringfs-async-"), locked.get());
                ch.close(); // the op has left the channel
                assertEquals(1, TestIo.openFdsOn(f), "only the holder's descriptor is left");
            }
        }

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (FileChannel writer = FileChannel.open(fifo, READ, WRITE)) {
            ExecutorService ex = Executors.newSingleThreadExecutor();
            AsynchronousFileChannel ch = TestIo.openAsync(TestIo.IO, fifo, ex, READ, WRITE);
            TestIo.letThroughTheSeekCheck(ch);
            CompletableFuture<String> read = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(8), 0, null, recorder(read));
            ex.shutdown();
            writer.write(ByteBuffer.wrap(new byte[3]));
            assertTrue(read.get(10, TimeUnit.SECONDS).startsWith("completed 3 on uringfs-async-"), read.get());
            ch.close();
            assertEquals(1, TestIo.openFdsOn(fifo), "only the writer's descriptor is left");
        }
    }

    /** A handler that records "completed [value] on THREAD", or the failure. */
    private static <V> CompletionHandler<V, Object> recorder(CompletableFuture<String> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V v, Object a) {
                into.complete("completed " + (v instanceof Integer n ? n + " " : "") + "on " + Thread.currentThread().getName());
            }

            @Override
            public void failed(Throwable e, Object a) {
                into.complete("failed " + e.getClass().getSimpleName() + " on " + Thread.currentThread().getName());
            }
        };
    }
}
