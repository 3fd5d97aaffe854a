package io.uringfs.channel;

import io.uringfs.engine.Engine;
import io.uringfs.engine.EngineConfig;
import io.uringfs.engine.Io;
import io.uringfs.engine.OnVirtualThread;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Transfers between two uring channels on a virtual thread, which go through ring splices
 * (file, pipe, file): the same counts, positions and bytes as the default provider's
 * copy_file_range for random sizes and offsets; interrupts and closes in the middle of a transfer
 * behave like the other channel ops; the splice pipes never leak. The engine is this class's own,
 * so that its op count shows the transfers really are ring ops.
 */
class SpliceTransferTest {
    private static Engine engine;
    private static Io io;
    private static Path dir;

    @BeforeContainer
    static void setUp() throws Exception {
        engine = Engine.start(EngineConfig.defaults().withThreadName("uringfs-splice-test"));
        io = new Io(engine);
        dir = Files.createTempDirectory("uring-splice");
    }

    @AfterContainer
    static void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static FileChannel open(Path p, java.nio.file.OpenOption... o) throws IOException {
        return ChannelFactory.newFileChannel(io, TestIo.bytes(p), p.toString(), Set.of(o));
    }

    /** Descriptors of this process that are pipes (the splice pipes would show up here). */
    private static long openPipes() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    /** One transfer in each direction on the given opener; the outcome, positions and both files. */
    private static String scenario(boolean uring, Path d, byte[] src, byte[] dst, long position, long count,
                                   long srcPos, long dstPos, boolean from) throws Exception {
        Files.createDirectories(d);
        Path a = Files.write(d.resolve("a"), src), b = Files.write(d.resolve("b"), dst);
        String r;
        try (FileChannel in = uring ? open(a, READ) : FileChannel.open(a, READ);
             FileChannel out = uring ? open(b, READ, WRITE) : FileChannel.open(b, READ, WRITE)) {
            in.position(srcPos);
            out.position(dstPos);
            r = Outcome.of(() -> from ? out.transferFrom(in, position, count) : in.transferTo(position, count, out))
                    + " in.pos=" + in.position() + " out.pos=" + out.position() + " out.size=" + out.size();
        }
        return r + " a#" + Arrays.hashCode(Files.readAllBytes(a)) + " b#" + Arrays.hashCode(Files.readAllBytes(b));
    }

    @Property(tries = 60, seed = "20261122")
    void randomTransfersMatchTheDefaultProvider(@ForAll long seed, @ForAll boolean from) throws Throwable {
        Random rnd = new Random(seed);
        // sizes around the 1 MiB pipe and the 64 KiB default, and small ones
        int[] sizes = {0, 1, 4095, 65536, 65537, (1 << 20) - 1, 1 << 20, (1 << 20) + 4097, 3 << 20};
        int srcLen = rnd.nextBoolean() ? sizes[rnd.nextInt(sizes.length)] : rnd.nextInt(3 << 20);
        byte[] src = new byte[srcLen], dst = new byte[rnd.nextInt(100_000)];
        rnd.nextBytes(src);
        rnd.nextBytes(dst);
        long position = rnd.nextInt(4) == 0 ? rnd.nextInt(4 << 20) : rnd.nextInt(srcLen + 1);
        long count = switch (rnd.nextInt(4)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> rnd.nextInt(100);
            default -> rnd.nextInt(4 << 20);
        };
        long srcPos = rnd.nextInt(srcLen + 1), dstPos = rnd.nextInt(dst.length + 5000);
        String expected = scenario(false, dir.resolve(seed + "j"), src, dst, position, count, srcPos, dstPos, from);
        long before = engine.stats().submitted();
        String actual = OnVirtualThread.call(() -> scenario(true, dir.resolve(seed + "u"), src, dst, position, count, srcPos, dstPos, from));
        assertEquals(expected, actual, "seed " + seed + " from " + from);
        long moved = Long.parseLong(expected.substring(2, expected.indexOf(' ', 2)));
        if (moved > 0) assertTrue(engine.stats().submitted() - before >= 2, "seed " + seed + ": the transfer was not spliced on the ring");
    }

    @Property(tries = 1, seed = "1")
    void platformThreadsKeepCopyFileRange(@ForAll @IntRange(min = 1, max = 1) int unused) throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Path a = Files.write(dir.resolve("plain-a"), data), b = dir.resolve("plain-b");
        try (FileChannel in = open(a, READ); FileChannel out = open(b, CREATE, WRITE)) {
            long before = engine.stats().submitted();
            assertEquals(data.length, in.transferTo(0, data.length, out));
            assertEquals(before, engine.stats().submitted(), "no ring op on a platform thread");
        }
        assertArrayEquals(data, Files.readAllBytes(b));
    }

    private static byte[] bigSource(Path a) throws IOException {
        byte[] data = new byte[32 << 20];
        new Random(3).nextBytes(data);
        Files.write(a, data);
        return data;
    }

    /**
     * Transfers {@code a} to {@code b} over and over (each from position 0) until a transfer
     * throws, which it returns; null when the channel was closed between two transfers instead
     * (resetting a position failed, or a transfer had just completed its last splice): the caller
     * tries again, since only a close in the middle of a transfer is what the tests look at.
     */
    private static Throwable transferUntilThrows(FileChannel in, FileChannel out, boolean from, CountDownLatch started) {
        try {
            long size = in.size();
            while (true) {
                try {
                    in.position(0);
                    out.position(0);
                } catch (java.nio.channels.ClosedChannelException between) {
                    return null;
                }
                started.countDown();
                long n = from ? out.transferFrom(in, 0, size) : in.transferTo(0, size, out);
                assertEquals(size, n);
            }
        } catch (Throwable t) {
            return t;
        }
    }

    private static final int ATTEMPTS = 10;

    @Property(tries = 4, seed = "4")
    void interruptMidTransferClosesBothChannels(@ForAll boolean from) throws Throwable {
        Path a = dir.resolve("int-a" + from), b = dir.resolve("int-b" + from);
        byte[] data = bigSource(a);
        long pipes = openPipes();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            FileChannel in = open(a, READ), out = open(b, CREATE, READ, WRITE);
            Thread t = Thread.ofVirtual().start(() -> {
                thrown.set(transferUntilThrows(in, out, from, started));
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            started.await();
            Thread.sleep(30);
            t.interrupt();
            t.join();
            if (thrown.get() == null) { // interrupted between two transfers: not this test's case
                in.close();
                out.close();
                continue;
            }
            assertInstanceOf(ClosedByInterruptException.class, thrown.get());
            assertTrue(interruptKept.get(), "interrupt status kept");
            assertFalse(in.isOpen());
            assertFalse(out.isOpen(), "the JDK closes the other channel too");
            assertEquals(pipes, openPipes(), "splice pipes closed");
            byte[] copied = Files.readAllBytes(b);
            assertTrue(copied.length <= data.length);
            assertArrayEquals(Arrays.copyOf(data, copied.length), copied, "whatever arrived is the source's bytes in place");
            return;
        }
        fail("never interrupted in the middle of a transfer in " + ATTEMPTS + " attempts");
    }

    @Property(tries = 4, seed = "5")
    void closeMidTransferThrowsAsynchronousClose(@ForAll boolean from, @ForAll boolean closeSource) throws Throwable {
        Path a = dir.resolve("close-a" + from + closeSource), b = dir.resolve("close-b" + from + closeSource);
        bigSource(a);
        long pipes = openPipes();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            FileChannel in = open(a, READ), out = open(b, CREATE, READ, WRITE);
            try {
                Thread t = Thread.ofVirtual().start(() -> thrown.set(transferUntilThrows(in, out, from, started)));
                started.await();
                Thread.sleep(30);
                (closeSource ? in : out).close();
                t.join();
                if (thrown.get() == null) continue; // closed between two transfers: not this test's case
                assertInstanceOf(AsynchronousCloseException.class, thrown.get());
                assertFalse(thrown.get() instanceof ClosedByInterruptException);
                assertTrue((closeSource ? out : in).isOpen(), "only the closed channel is closed");
                assertEquals(pipes, openPipes(), "splice pipes closed");
                return;
            } finally {
                in.close();
                out.close();
            }
        }
        fail("never closed in the middle of a transfer in " + ATTEMPTS + " attempts");
    }

    @Property(tries = 1, seed = "6")
    void appendTargetFallsBackAndAppends(@ForAll @IntRange(min = 1, max = 1) int unused) throws Throwable {
        byte[] data = new byte[200_000];
        new Random(9).nextBytes(data);
        Path a = Files.write(dir.resolve("app-a"), data), b = Files.write(dir.resolve("app-b"), new byte[] {1, 2, 3});
        long n = OnVirtualThread.call(() -> {
            try (FileChannel in = open(a, READ); FileChannel out = open(b, APPEND)) {
                return in.transferTo(10, 100_000, out);
            }
        });
        assertEquals(100_000, n);
        byte[] expected = new byte[100_003];
        expected[0] = 1;
        expected[1] = 2;
        expected[2] = 3;
        System.arraycopy(data, 10, expected, 3, 100_000);
        assertArrayEquals(expected, Files.readAllBytes(b));
        assertArrayEquals(data, Files.readAllBytes(a));
    }
}
