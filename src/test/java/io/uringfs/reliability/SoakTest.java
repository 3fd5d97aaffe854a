package io.uringfs.reliability;

import io.uringfs.engine.Engine;
import io.uringfs.fs.UringFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak: thousands of virtual threads and some platform threads run mixed operations on a shared
 * tree through one {@code uring:} file system, while a chaos thread interrupts workers and closes
 * channels under other threads' I/O. Each worker owns one 4 KiB block of a shared file (plus a
 * private file for truncation), so every result can be checked exactly: a read returns the last
 * version written (or, after an interrupted write, the one before), and at the end every block's
 * last forced version reads back through the default provider. Accounting: the engine completed
 * every op it was handed exactly once and nothing is in flight; descriptors and platform threads
 * return to where they started.
 *
 * <p>CI runs {@value #CI_SECONDS} s; {@code -Duringfs.soak.seconds=N} runs longer.
 * {@code -Duringfs.soak.seed=S} replays a seed (printed on failure).
 */
class SoakTest {
    private static final int CI_SECONDS = 8;
    private static final int FILES = 64, BLOCK = 4096, VIRTUAL = 2000, PLATFORM = 8;
    private static final long SEED = Long.getLong("uringfs.soak.seed", System.nanoTime());

    @Test
    void mixedOperationsUnderChaosLoseNothing(@TempDir Path dir) throws Exception {
        int seconds = Integer.getInteger("uringfs.soak.seconds", CI_SECONDS);
        int fdsBefore = Fds.open();
        int threadsBefore = Thread.activeCount();
        int workers = VIRTUAL + PLATFORM;
        long[] forced = new long[workers];
        LongAdder ops = new LongAdder(), interruptedOps = new LongAdder(), asyncClosed = new LongAdder();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        Engine engine;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("uring://soak/"), Map.of())) {
            engine = ((UringFileSystem) fs).engine();
            Path root = fs.getPath(dir.toString());
            for (int f = 0; f < FILES; f++) {
                try (FileChannel ch = FileChannel.open(root.resolve("shared-" + f), CREATE, WRITE)) {
                    ch.write(ByteBuffer.allocate(1), (long) (workers / FILES + 1) * BLOCK);
                }
            }
            SharedChannels shared = new SharedChannels(root);
            AsynchronousFileChannel[] async = new AsynchronousFileChannel[FILES];
            for (int f = 0; f < FILES; f++) {
                async[f] = AsynchronousFileChannel.open(root.resolve("shared-" + f), READ, WRITE);
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Worker worker = new Worker(w, root, shared, async, forced, ops, interruptedOps, asyncClosed, wrong, stop);
                threads.add(w < VIRTUAL ? Thread.ofVirtual().unstarted(worker) : Thread.ofPlatform().unstarted(worker));
            }
            threads.forEach(Thread::start);
            Thread chaos = Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(SEED ^ 1);
                while (!stop.get()) {
                    threads.get(rnd.nextInt(threads.size())).interrupt();
                    LockSupport.parkNanos(200_000);
                }
            });
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            stop.set(true);
            chaos.join();
            for (Thread t : threads) {
                t.join(30_000);
                assertTrue(!t.isAlive(), "seed " + SEED + ": a worker is stuck: " + Arrays.toString(t.getStackTrace()));
            }
            shared.close();
            for (int f = 0; f < FILES; f++) async[f].close();
            assertTrue(wrong.isEmpty(), "seed " + SEED + ": " + wrong.size() + " wrong results, e.g. " + wrong.peek());
            assertEquals(0, engine.inFlight());
            assertEquals(engine.stats().submitted(), engine.stats().completed(), engine.stats().toString());
            assertEquals(0, engine.stats().strayCompletions(), engine.stats().toString());
        }
        // Every block's last forced version, through the default provider.
        for (int w = 0; w < workers; w++) {
            if (forced[w] == 0) continue;
            byte[] file = Files.readAllBytes(dir.resolve("shared-" + (w % FILES)));
            ByteBuffer block = ByteBuffer.wrap(file, (w / FILES) * BLOCK, BLOCK);
            long version = block.getLong(block.position() + 8);
            assertTrue(version >= forced[w], "seed " + SEED + ": worker " + w + " forced version " + forced[w] + ", found " + version);
            assertEquals(Worker.content(w, version), ByteBuffer.wrap(file, (w / FILES) * BLOCK, BLOCK), "seed " + SEED + ": block of worker " + w);
        }
        System.out.printf("soak %d s (seed %d): %d ops, %d interrupted, %d closed under I/O, %s%n", seconds, SEED,
                ops.sum(), interruptedOps.sum(), asyncClosed.sum(), engine.stats());
        assertTrue(ops.sum() > workers, "too little work done: " + ops.sum());
        assertEquals(fdsBefore, Fds.open(), "descriptors leaked");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.activeCount() > threadsBefore && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(Thread.activeCount() <= threadsBefore, "platform threads: " + threadsBefore + " -> " + Thread.activeCount());
    }

    /** One worker's loop; see the class comment for what it owns and checks. */
    private record Worker(int id, Path root, SharedChannels shared, AsynchronousFileChannel[] async, long[] forced,
                          LongAdder ops, LongAdder interruptedOps, LongAdder asyncClosed,
                          ConcurrentLinkedQueue<String> wrong, AtomicBoolean stop) implements Runnable {

        static ByteBuffer content(int worker, long version) {
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            b.putLong(worker).putLong(version);
            SplittableRandom r = new SplittableRandom(worker * 1_000_003L + version);
            while (b.hasRemaining()) b.put((byte) r.nextInt());
            return b.flip();
        }

        @Override
        public void run() {
            SplittableRandom rnd = new SplittableRandom(SEED + id);
            int f = id % FILES;
            long offset = (long) (id / FILES) * BLOCK;
            long written = 0;           // last version whose write returned
            boolean uncertain = false;  // an interrupted write may or may not have landed
            Path mine = root.resolve("private-" + id);
            while (!stop.get()) {
                Thread.interrupted();
                try {
                    switch (rnd.nextInt(8)) {
                        case 0, 1 -> { // positional write, then force (own interruptible channel or the shared one)
                            long v = written + 1;
                            uncertain = true;
                            ByteBuffer b = content(id, v);
                            if (rnd.nextBoolean()) {
                                try (FileChannel ch = FileChannel.open(root.resolve("shared-" + f), WRITE)) {
                                    while (b.hasRemaining()) ch.write(b, offset + b.position());
                                    ch.force(rnd.nextBoolean());
                                }
                            } else {
                                FileChannel c = shared.get(f);
                                while (b.hasRemaining()) c.write(b, offset + b.position());
                                c.force(false);
                            }
                            written = v;
                            uncertain = false;
                            forced[id] = v;
                        }
                        case 2, 3 -> { // read back: the last version written
                            ByteBuffer b = rnd.nextBoolean() ? ByteBuffer.allocate(BLOCK) : ByteBuffer.allocateDirect(BLOCK);
                            FileChannel ch = rnd.nextBoolean() ? shared.get(f) : null;
                            try (FileChannel own = ch == null ? FileChannel.open(root.resolve("shared-" + f), READ) : null) {
                                FileChannel c = ch == null ? own : ch;
                                while (b.hasRemaining()) {
                                    if (c.read(b, offset + b.position()) < 0) break;
                                }
                            }
                            check(b.flip(), written, uncertain);
                        }
                        case 4 -> { // async write then async read of the block
                            long v = written + 1;
                            uncertain = true;
                            ByteBuffer b = content(id, v);
                            while (b.hasRemaining()) await(async[f].write(b, offset + b.position()));
                            written = v;
                            uncertain = false;
                            ByteBuffer r = ByteBuffer.allocate(BLOCK);
                            while (r.hasRemaining()) await(async[f].read(r, offset + r.position()));
                            check(r.flip(), written, false);
                        }
                        case 5 -> { // private file: stream write, truncate, size, stream read
                            byte[] data = new byte[1 + rnd.nextInt(3 * BLOCK)];
                            rnd.nextBytes(data);
                            try (OutputStream out = Files.newOutputStream(mine)) {
                                out.write(data);
                            }
                            int keep = rnd.nextInt(data.length + 1);
                            try (FileChannel ch = FileChannel.open(mine, READ, WRITE)) {
                                ch.truncate(keep);
                                if (ch.size() != keep) wrong.add("worker " + id + ": size " + ch.size() + " after truncate to " + keep);
                            }
                            try (InputStream in = Files.newInputStream(mine)) {
                                if (!Arrays.equals(in.readAllBytes(), Arrays.copyOf(data, keep))) {
                                    wrong.add("worker " + id + ": private file content after truncate");
                                }
                            }
                        }
                        case 6 -> { // a channel closed by another thread while this one reads it
                            FileChannel ch = FileChannel.open(root.resolve("shared-" + f), READ, WRITE, CREATE);
                            Thread closer = Thread.ofVirtual().start(() -> {
                                try {
                                    Thread.sleep(0, 100_000);
                                    ch.close();
                                } catch (IOException | InterruptedException ignored) {
                                    // the worker closes it below anyway
                                }
                            });
                            try {
                                ByteBuffer b = ByteBuffer.allocate(BLOCK);
                                for (int i = 0; i < 100; i++) {
                                    b.clear();
                                    ch.read(b, offset);
                                }
                            } catch (ClosedChannelException expected) {
                                asyncClosed.increment();
                            } finally {
                                closer.join();
                                ch.close();
                            }
                        }
                        default -> { // metadata through the channel
                            long size = shared.get(f).size();
                            if (size < offset + BLOCK) wrong.add("worker " + id + ": shared file size " + size);
                        }
                    }
                    ops.increment();
                } catch (ClosedChannelException e) {
                    // ClosedByInterruptException (which closes the channel, shared ones included, as
                    // the JDK's do) or AsynchronousCloseException: the op is abandoned; if it was a
                    // write, its block version is uncertain until rewritten.
                    interruptedOps.increment();
                    renew(f);
                } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                    interruptedOps.increment();
                } catch (Throwable e) {
                    wrong.add("worker " + id + ": " + e);
                }
            }
            // Leave the block in a known, forced state.
            for (int attempt = 0; forced[id] <= written && attempt < 3; attempt++) {
                try {
                    Thread.interrupted();
                    long v = written + 1;
                    ByteBuffer b = content(id, v);
                    FileChannel c = shared.get(f);
                    while (b.hasRemaining()) c.write(b, offset + b.position());
                    c.force(false);
                    forced[id] = v;
                } catch (ClosedChannelException e) {
                    renew(f); // closed by a late interrupt of another worker
                } catch (Throwable e) {
                    wrong.add("worker " + id + " final write: " + e);
                }
            }
            if (forced[id] <= written) wrong.add("worker " + id + ": final write never succeeded");
        }

        /**
         * Waits for an async op even if interrupted: abandoning it would let the write land later,
         * over a newer version (a correct outcome the model could not check).
         */
        private static <T> T await(java.util.concurrent.Future<T> future) throws java.util.concurrent.ExecutionException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return future.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        private void renew(int f) {
            try {
                shared.renewIfClosed(f);
            } catch (IOException e) {
                wrong.add("worker " + id + ": reopening shared-" + f + ": " + e);
            }
        }

        private void check(ByteBuffer b, long written, boolean uncertain) {
            long version = b.getLong(8);
            boolean ok = version == written || (uncertain && version == written + 1) || (written == 0 && version == 0 && b.getLong(0) == 0);
            if (!ok || (version > 0 && !b.equals(content(id, version)))) {
                wrong.add("worker " + id + ": read version " + version + " after writing " + written + (uncertain ? " (uncertain)" : ""));
            }
        }
    }

    /** One FileChannel per shared file, reopened when an interrupt closed it. */
    private static final class SharedChannels {
        private final Path root;
        private final FileChannel[] channels = new FileChannel[FILES];

        SharedChannels(Path root) throws IOException {
            this.root = root;
            for (int f = 0; f < FILES; f++) channels[f] = FileChannel.open(root.resolve("shared-" + f), READ, WRITE);
        }

        synchronized FileChannel get(int f) {
            return channels[f];
        }

        synchronized void renewIfClosed(int f) throws IOException {
            if (!channels[f].isOpen()) channels[f] = FileChannel.open(root.resolve("shared-" + f), READ, WRITE);
        }

        synchronized void close() throws IOException {
            for (FileChannel c : channels) c.close();
        }
    }

    private static final class LockSupport {
        static void parkNanos(long nanos) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
    }
}
