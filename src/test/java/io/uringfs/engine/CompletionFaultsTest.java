package io.uringfs.engine;

import io.uringfs.fs.UringFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ring ops whose CQE reports {@code EINTR} or {@code EAGAIN} without having done anything
 * ({@link Faults#completionErrors}), mixed with short transfers, on virtual threads: channels
 * (relative, positional, scattering, gathering, {@code force}, ring-splice transfers), asynchronous
 * channels, streams and {@code Files} helpers repeat them as the JDK repeats {@code EINTR}, so every
 * byte arrives exactly and no exception escapes. Without the repeats the first injected completion
 * surfaces as {@code IOException("Interrupted system call")}.
 */
class CompletionFaultsTest {
    private static final long SEED = Long.getLong("uringfs.faults.seed", 0xE1A7_0BADL);
    private static final int THREADS = 24;

    @AfterEach
    void uninstall() {
        Faults.install(null);
    }

    @Test
    void interruptedAndUnavailableCompletionsAreRepeated(@TempDir Path dir) throws Exception {
        Faults plan = new Faults(SEED).completionErrors(0.3, Errno.EINTR, Errno.EAGAIN).shortTransfers(0.2).ringOnly();
        FileSystem fs;
        Faults.install(plan);
        try {
            fs = FileSystems.newFileSystem(URI.create("uring://completion-faults/"), Map.of());
        } finally {
            Faults.install(null);
        }
        try (fs) {
            assertTrue(((UringFileSystem) fs).usesRing());
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    ex.submit(() -> {
                        try {
                            exercise(fs, dir, id);
                        } catch (Throwable e) {
                            StringWriter w = new StringWriter();
                            e.printStackTrace(new PrintWriter(w));
                            failures.add("thread " + id + ": " + w);
                        }
                    });
                }
            }
            assertTrue(failures.isEmpty(), "seed " + SEED + ": " + failures);
            Engine engine = ((UringFileSystem) fs).engine();
            EngineStats s = engine.stats();
            long injected = plan.injectedCompletionErrors.sum();
            System.out.printf("completion faults (seed %d): %d EINTR/EAGAIN completions injected, %d short transfers; %s%n",
                    SEED, injected, plan.shortened.sum(), s);
            assertTrue(injected > 500, "completion faults injected: " + injected + ", " + s);
            assertTrue(plan.shortened.sum() > 100, "short transfers: " + plan.shortened.sum());
            assertEquals(0, engine.inFlight(), s.toString());
            assertEquals(s.submitted(), s.completed(), s.toString());
            assertEquals(0, s.strayCompletions(), s.toString());
        }
    }

    /** One virtual thread's work on its own files; each result is checked against what was written. */
    private static void exercise(FileSystem fs, Path dir, int id) throws Exception {
        byte[] data = new byte[96 * 1024 + id * 517];
        new Random(SEED + id).nextBytes(data);
        Path file = fs.getPath(dir.resolve("f" + id).toString());
        String where = "seed " + SEED + ", thread " + id;

        try (FileChannel ch = FileChannel.open(file, CREATE_NEW, WRITE, READ)) {
            // relative writes, heap and direct buffers alternating
            for (int i = 0; i < data.length; ) {
                int n = Math.min(8192, data.length - i);
                ByteBuffer src = (i / 8192) % 2 == 0 ? ByteBuffer.wrap(data, i, n)
                        : ByteBuffer.allocateDirect(n).put(data, i, n).flip();
                while (src.hasRemaining()) i += ch.write(src);
            }
            ch.force(true);
            assertEquals(data.length, ch.size(), where);
            // positional reads
            byte[] back = new byte[data.length];
            for (int i = 0; i < data.length; ) {
                ByteBuffer dst = i % 3 == 0 ? ByteBuffer.allocateDirect(8192) : ByteBuffer.allocate(8192);
                dst.limit(Math.min(8192, data.length - i));
                int n = ch.read(dst, i);
                assertTrue(n > 0, where + ": positional read at " + i + " returned " + n);
                dst.flip().get(back, i, n);
                i += n;
            }
            assertArrayEquals(data, back, where + ": positional reads");
            // scattering relative read from the start
            ch.position(0);
            ByteBuffer[] parts = {ByteBuffer.allocate(1000), ByteBuffer.allocateDirect(7000), ByteBuffer.allocate(20_000)};
            long total = 0;
            while (total < 28_000) total += ch.read(parts);
            ByteBuffer got = ByteBuffer.allocate(28_000);
            for (ByteBuffer p : parts) got.put(p.flip());
            assertArrayEquals(Arrays.copyOf(data, 28_000), got.array(), where + ": scattering read");
            // gathering relative write over the start, then the whole file checked below
            ch.position(0);
            ByteBuffer[] gather = {ByteBuffer.wrap(data, 0, 3000), ByteBuffer.allocateDirect(5000).put(data, 3000, 5000).flip()};
            total = 0;
            while (total < 8000) total += ch.write(gather);
            ch.force(false);
        }
        assertArrayEquals(data, Files.readAllBytes(file), where + ": Files.readAllBytes through uring:");

        // a ring-splice transfer between two uring channels (a virtual thread's transferTo)
        Path copy = fs.getPath(dir.resolve("t" + id).toString());
        try (FileChannel in = FileChannel.open(file, READ); FileChannel out = FileChannel.open(copy, CREATE_NEW, WRITE)) {
            long moved = 0;
            while (moved < data.length) moved += in.transferTo(moved, data.length - moved, out);
            out.force(true);
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("t" + id)), where + ": transferTo");

        // an asynchronous channel: positional writes and reads in flight together
        Path async = fs.getPath(dir.resolve("a" + id).toString());
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(async, CREATE_NEW, WRITE, READ)) {
            List<Future<Integer>> writes = new ArrayList<>();
            List<ByteBuffer> srcs = new ArrayList<>();
            for (int i = 0; i < data.length; i += 8192) {
                int n = Math.min(8192, data.length - i);
                ByteBuffer src = i % 16384 == 0 ? ByteBuffer.wrap(data, i, n) : ByteBuffer.allocateDirect(n).put(data, i, n).flip();
                srcs.add(src);
                writes.add(ch.write(src, i));
            }
            for (int k = 0; k < writes.size(); k++) {
                int at = k * 8192 + writes.get(k).get();
                ByteBuffer src = srcs.get(k);
                while (src.hasRemaining()) at += ch.write(src, at).get(); // a short write goes on where it stopped
            }
            ch.force(true);
            byte[] back = new byte[data.length];
            for (int i = 0; i < data.length; ) {
                ByteBuffer dst = ByteBuffer.allocate(Math.min(16384, data.length - i));
                int n = ch.read(dst, i).get();
                assertTrue(n > 0, where + ": async read at " + i + " returned " + n);
                dst.flip().get(back, i, n);
                i += n;
            }
            assertArrayEquals(data, back, where + ": asynchronous channel");
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("a" + id)), where + ": async write read back by file:");

        // streams, and Files.copy's buffered loop
        Path streamed = fs.getPath(dir.resolve("s" + id).toString());
        try (OutputStream out = Files.newOutputStream(streamed)) {
            out.write(data);
        }
        try (InputStream in = Files.newInputStream(streamed)) {
            assertArrayEquals(data, in.readAllBytes(), where + ": streams");
        }
        Path copied = fs.getPath(dir.resolve("c" + id).toString());
        Files.copy(streamed, copied);
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("c" + id)), where + ": Files.copy");
    }
}
