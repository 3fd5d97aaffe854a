package io.uringfs.channel;

import io.uringfs.engine.Io;
import io.uringfs.engine.OnVirtualThread;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model-based differential test: random sequences of channel operations run op by op on a uring
 * channel, on the default provider's FileChannel and (for read/write channels) on a byte-array
 * model; every result, exception (class and message), buffer state and the final file content
 * must agree. Sequences come from a seed jqwik draws from its fixed seed; a failure names the
 * sequence seed and the op index, and the whole log of ops up to it. Run on a platform thread, on
 * a virtual thread and with every transfer forced onto the ring, since each takes other paths.
 */
class ChannelModelTest {
    private static Path dir;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("uring-model");
    }

    @AfterContainer
    static void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A byte-array file with a position, the meaning of each op. */
    private static final class Model {
        byte[] data = new byte[0];
        long position;
        final boolean append;

        Model(boolean append) {
            this.append = append;
        }

        int write(byte[] b, long at) {
            if (b.length == 0) return 0;
            long p = at < 0 ? (append ? data.length : position) : (append ? data.length : at);
            if (p + b.length > data.length) data = Arrays.copyOf(data, (int) (p + b.length));
            System.arraycopy(b, 0, data, (int) p, b.length);
            if (at < 0) position = p + b.length;
            return b.length;
        }

        int read(byte[] into, long at) {
            if (into.length == 0) return 0;
            long p = at < 0 ? position : at;
            if (p >= data.length) return -1;
            int n = (int) Math.min(into.length, data.length - p);
            System.arraycopy(data, (int) p, into, 0, n);
            if (at < 0) position = p + n;
            return n;
        }

        void truncate(long size) {
            if (size < data.length) data = Arrays.copyOf(data, (int) size);
            if (position > size) position = size;
        }
    }

    private enum Kind { HEAP, DIRECT, READ_ONLY, HEAP_SLICE }

    private static ByteBuffer buffer(Kind kind, byte[] content, int capacity, int offset) {
        ByteBuffer b = switch (kind) {
            case DIRECT -> ByteBuffer.allocateDirect(capacity + offset);
            case HEAP_SLICE -> ByteBuffer.allocate(capacity + offset + 3).position(3).slice();
            default -> ByteBuffer.allocate(capacity + offset);
        };
        b.position(offset);
        if (content != null) b.put(content).flip().position(offset);
        else b.limit(offset + capacity);
        return kind == Kind.READ_ONLY ? b.asReadOnlyBuffer() : b;
    }

    private static String outcome(Callable c) {
        try {
            return "ok " + c.call();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @FunctionalInterface
    private interface Callable {
        Object call() throws Exception;
    }

    private static String show(ByteBuffer b) {
        ByteBuffer d = b.duplicate().clear();
        byte[] all = new byte[d.remaining()];
        d.get(all);
        return b.position() + "/" + b.limit() + " #" + Arrays.hashCode(all);
    }

    /**
     * On the test's platform thread, where reads, writes and {@code force} are the plain system
     * calls the default provider makes (the ring would only add a hop there).
     */
    @Property(tries = 1500, seed = "20250613")
    void readWriteChannelMatchesModelAndJdk(@ForAll long seed) throws Exception {
        run(seed, false, TestIo.IO);
    }

    @Property(tries = 300, seed = "20250614")
    void appendChannelMatchesJdk(@ForAll long seed) throws Exception {
        run(seed, true, TestIo.IO);
    }

    /**
     * On a virtual thread, as the provider is meant to be used: reads and writes try
     * {@code RWF_NOWAIT} and go to the ring when they would wait, {@code force} is a ring op. On a
     * file system without non-blocking buffered writes (ext4, where these tests usually run)
     * writes are plain calls, and freshly written data is in the page cache, so reads rarely miss:
     * the ring-only variants below make sure every transfer path of the ring is compared too.
     */
    @Property(tries = 300, seed = "20261130")
    void readWriteChannelOnAVirtualThread(@ForAll long seed) throws Exception {
        OnVirtualThread.call(() -> {
            run(seed, false, TestIo.IO);
            return null;
        });
    }

    /** Every read, write, readv, writev and {@code force} a ring op ({@link TestIo.RingOnly}). */
    @Property(tries = 300, seed = "20261201")
    void readWriteChannelWithEveryTransferOnTheRing(@ForAll long seed) throws Exception {
        long before = TestIo.RingOnly.ENGINE.stats().submitted();
        run(seed, false, TestIo.RingOnly.IO);
        assertTrue(TestIo.RingOnly.ENGINE.stats().submitted() > before, "seed " + seed + ": nothing reached the ring");
    }

    @Property(tries = 100, seed = "20261202")
    void appendChannelWithEveryTransferOnTheRing(@ForAll long seed) throws Exception {
        run(seed, true, TestIo.RingOnly.IO);
    }

    private void run(long seed, boolean append, Io io) throws Exception {
        Random rnd = new Random(seed);
        Path fu = dir.resolve("u" + seed), fj = dir.resolve("j" + seed);
        Set<OpenOption> opts = append ? Set.of(CREATE, APPEND) : Set.of(CREATE, READ, WRITE);
        Model model = new Model(append);
        List<String> log = new ArrayList<>();
        try (FileChannel u = TestIo.open(io, fu, opts); FileChannel j = FileChannel.open(fj, opts)) {
            int ops = 10 + rnd.nextInt(40);
            for (int i = 0; i < ops; i++) {
                int op = rnd.nextInt(13);
                Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
                int len = rnd.nextInt(10) == 0 ? rnd.nextInt(70_000) : rnd.nextInt(300);
                int off = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : 0;
                long at = rnd.nextInt(3) == 0 ? rnd.nextInt(2000) : rnd.nextInt(10) == 0 ? -1 - rnd.nextInt(3) : -2;
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                String what;
                String ru, rj, rm = null;
                switch (op) {
                    case 0, 1, 2 -> { // write, relative or positional
                        what = "write " + kind + " len=" + len + " at=" + at;
                        ByteBuffer bu = buffer(kind, data, len, off), bj = buffer(kind, data, len, off);
                        ru = outcome(() -> at == -2 ? u.write(bu) : u.write(bu, at)) + " " + bu.position();
                        rj = outcome(() -> at == -2 ? j.write(bj) : j.write(bj, at)) + " " + bj.position();
                        if (at >= -2 && at != -1 && at != -3) {
                            if (at >= 0 || at == -2) rm = "ok " + model.write(data, at == -2 ? -1 : at) + " " + (off + len);
                        }
                    }
                    case 3, 4, 5 -> { // read, relative or positional
                        what = "read " + kind + " len=" + len + " at=" + at;
                        ByteBuffer bu = buffer(kind, null, len, off), bj = buffer(kind, null, len, off);
                        ru = outcome(() -> at == -2 ? u.read(bu) : u.read(bu, at)) + " " + show(bu);
                        rj = outcome(() -> at == -2 ? j.read(bj) : j.read(bj, at)) + " " + show(bj);
                        if (!append && kind != Kind.READ_ONLY && (at >= 0 || at == -2)) {
                            byte[] into = new byte[len];
                            int n = model.read(into, at == -2 ? -1 : at);
                            ByteBuffer bm = buffer(kind, null, len, off);
                            if (n > 0) bm.put(into, 0, n);
                            rm = "ok " + n + " " + show(bm);
                        }
                    }
                    case 6 -> { // scatter read
                        int count = 1 + rnd.nextInt(4);
                        int[] lens = new int[count];
                        Kind[] kinds = new Kind[count];
                        for (int k = 0; k < count; k++) {
                            lens[k] = rnd.nextInt(200);
                            kinds[k] = rnd.nextInt(5) == 0 ? Kind.DIRECT : Kind.HEAP;
                        }
                        what = "readv " + Arrays.toString(lens);
                        ByteBuffer[] bu = new ByteBuffer[count], bj = new ByteBuffer[count];
                        for (int k = 0; k < count; k++) {
                            bu[k] = buffer(kinds[k], null, lens[k], 0);
                            bj[k] = buffer(kinds[k], null, lens[k], 0);
                        }
                        ru = outcome(() -> u.read(bu)) + " " + Arrays.stream(bu).map(ChannelModelTest::show).toList();
                        rj = outcome(() -> j.read(bj)) + " " + Arrays.stream(bj).map(ChannelModelTest::show).toList();
                        if (!append) {
                            byte[] into = new byte[Arrays.stream(lens).sum()];
                            int n = model.read(into, -1);
                            List<String> shown = new ArrayList<>();
                            int from = 0;
                            for (int k = 0; k < count; k++) {
                                ByteBuffer bm = buffer(kinds[k], null, lens[k], 0);
                                int m = Math.max(0, Math.min(lens[k], n - from));
                                bm.put(into, from, m);
                                from += m;
                                shown.add(show(bm));
                            }
                            rm = "ok " + n + " " + shown;
                        }
                    }
                    case 7 -> { // gather write
                        int count = 1 + rnd.nextInt(4);
                        ByteBuffer[] bu = new ByteBuffer[count], bj = new ByteBuffer[count];
                        StringBuilder sb = new StringBuilder("writev");
                        var all = new java.io.ByteArrayOutputStream();
                        for (int k = 0; k < count; k++) {
                            byte[] d = new byte[rnd.nextInt(200)];
                            rnd.nextBytes(d);
                            Kind kk = Kind.values()[rnd.nextInt(Kind.values().length)];
                            bu[k] = buffer(kk, d, d.length, 0);
                            bj[k] = buffer(kk, d, d.length, 0);
                            all.writeBytes(d);
                            sb.append(' ').append(kk).append(':').append(d.length);
                        }
                        what = sb.toString();
                        ru = outcome(() -> u.write(bu)) + " " + Arrays.stream(bu).map(ByteBuffer::position).toList();
                        rj = outcome(() -> j.write(bj)) + " " + Arrays.stream(bj).map(ByteBuffer::position).toList();
                        if (!append) {
                            model.write(all.toByteArray(), -1);
                        }
                    }
                    case 8 -> {
                        long p = rnd.nextInt(5) == 0 ? -1 : rnd.nextInt(3000);
                        what = "position(" + p + ")";
                        ru = outcome(() -> u.position(p) == u);
                        rj = outcome(() -> j.position(p) == j);
                        if (p >= 0) {
                            model.position = p;
                            rm = "ok true";
                        }
                    }
                    case 9 -> {
                        what = "position() size()";
                        ru = outcome(() -> u.position() + " " + u.size());
                        rj = outcome(() -> j.position() + " " + j.size());
                        if (!append) rm = "ok " + model.position + " " + model.data.length;
                    }
                    case 10 -> {
                        long s = rnd.nextInt(6) == 0 ? -1 : rnd.nextInt(2500);
                        what = "truncate(" + s + ")";
                        ru = outcome(() -> u.truncate(s) == u);
                        rj = outcome(() -> j.truncate(s) == j);
                        if (s >= 0 && !append) {
                            model.truncate(s);
                            rm = "ok true";
                        }
                    }
                    case 11 -> {
                        boolean meta = rnd.nextBoolean();
                        what = "force(" + meta + ")";
                        ru = outcome(() -> { u.force(meta); return null; });
                        rj = outcome(() -> { j.force(meta); return null; });
                    }
                    default -> {
                        long p = rnd.nextInt(3000), c = rnd.nextInt(3000);
                        what = "transferTo(" + p + "," + c + ") to a byte sink";
                        var su = new java.io.ByteArrayOutputStream();
                        var sj = new java.io.ByteArrayOutputStream();
                        ru = outcome(() -> u.transferTo(p, c, java.nio.channels.Channels.newChannel(su)) + " "
                                + Arrays.hashCode(su.toByteArray()));
                        rj = outcome(() -> j.transferTo(p, c, java.nio.channels.Channels.newChannel(sj)) + " "
                                + Arrays.hashCode(sj.toByteArray()));
                    }
                }
                log.add(i + ": " + what + " -> " + rj);
                String ctx = "seed " + seed + " op " + i + " (" + what + ")\n" + String.join("\n", log);
                assertEquals(rj, ru, "uring vs JDK, " + ctx);
                if (rm != null) assertEquals(rm, ru, "uring vs model, " + ctx);
            }
        }
        byte[] cu = Files.readAllBytes(fu), cj = Files.readAllBytes(fj);
        assertArrayEquals(cj, cu, "final content, seed " + seed);
        if (!append) assertArrayEquals(model.data, cu, "final content vs model, seed " + seed);
        Files.delete(fu);
        Files.delete(fj);
    }
}
