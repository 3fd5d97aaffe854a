package io.uringfs.engine;

import io.uringfs.fs.UringFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel transfers less than asked (injected by {@link Faults}: the SQE really carries a
 * shorter length) and also fails {@code io_uring_enter} with EINTR/EAGAIN/EBUSY: channels report
 * each partial transfer consistently (return value, buffer position and channel position agree),
 * and the streams and {@code Files} helpers built on them still move every byte.
 */
class ShortTransferChannelTest {
    private static final long SEED = Long.getLong("uringfs.faults.seed", 0xC0FFEEL);

    @AfterEach
    void uninstall() {
        Faults.install(null);
    }

    private static FileSystem faultyFileSystem(Faults plan, String name) throws Exception {
        Faults.install(plan);
        try {
            return FileSystems.newFileSystem(URI.create("uring://" + name + "/"), Map.of());
        } finally {
            Faults.install(null);
        }
    }

    @Test
    void partialTransfersAreReportedAndCompleted(@TempDir Path dir) throws Exception {
        Faults plan = new Faults(SEED).shortTransfers(0.5).enterErrors(0.1, Errno.EINTR, Errno.EAGAIN, Errno.EBUSY)
                .ringOnly();
        byte[] data = new byte[1 << 20];
        new Random(SEED).nextBytes(data);
        try (FileSystem fs = faultyFileSystem(plan, "short-transfers")) {
            assertTrue(((UringFileSystem) fs).usesRing());
            Path file = fs.getPath(dir.resolve("f").toString());

            // Streams loop over partial writes/reads.
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(data);
            }
            assertArrayEquals(data, Files.readAllBytes(dir.resolve("f")), "seed " + SEED + ": written through uring:");
            try (InputStream in = Files.newInputStream(file)) {
                assertArrayEquals(data, in.readAllBytes(), "seed " + SEED + ": read through uring:");
            }
            assertArrayEquals(data, Files.readAllBytes(file), "seed " + SEED);

            // Relative writes: every partial write is accounted for exactly.
            int partialWrites = 0, partialReads = 0;
            try (FileChannel ch = FileChannel.open(file, WRITE, READ, TRUNCATE_EXISTING, CREATE)) {
                for (int i = 0; i < data.length; ) {
                    ByteBuffer src = (i / 4096) % 2 == 0 ? ByteBuffer.wrap(data, i, Math.min(8192, data.length - i))
                            : ByteBuffer.allocateDirect(Math.min(8192, data.length - i)).put(data, i, Math.min(8192, data.length - i)).flip();
                    int want = src.remaining(), before = src.position();
                    long posBefore = ch.position();
                    int n = ch.write(src);
                    assertTrue(n >= 1 && n <= want, "write returned " + n + " of " + want);
                    assertEquals(n, src.position() - before, "buffer advanced by the count returned");
                    assertEquals(posBefore + n, ch.position(), "channel advanced by the count returned");
                    if (n < want) partialWrites++;
                    i += n;
                }
                assertEquals(data.length, ch.size());
                // Positional reads into heap and direct buffers.
                byte[] back = new byte[data.length];
                for (int i = 0; i < data.length; ) {
                    ByteBuffer dst = i % 3 == 0 ? ByteBuffer.allocate(8192) : ByteBuffer.allocateDirect(8192);
                    dst.limit(Math.min(8192, data.length - i));
                    int want = dst.remaining();
                    int n = ch.read(dst, i);
                    assertTrue(n >= 1 && n <= want, "read returned " + n + " of " + want);
                    assertEquals(n, dst.position());
                    if (n < want) partialReads++;
                    dst.flip().get(back, i, n);
                    i += n;
                }
                assertArrayEquals(data, back, "seed " + SEED);
                // Scattering read and gathering write of several buffers.
                ByteBuffer[] gather = {ByteBuffer.wrap(data, 0, 1000), ByteBuffer.allocateDirect(3000).put(data, 1000, 3000).flip(),
                        ByteBuffer.wrap(data, 4000, 5000)};
                ch.position(0);
                long total = 0;
                while (total < 9000) {
                    long n = ch.write(gather);
                    assertTrue(n > 0);
                    total += n;
                    assertEquals(total, ch.position());
                }
                ByteBuffer[] scatter = {ByteBuffer.allocate(1000), ByteBuffer.allocateDirect(3000), ByteBuffer.allocate(5000)};
                ch.position(0);
                total = 0;
                while (total < 9000) total += ch.read(scatter);
                byte[] got = new byte[9000];
                int at = 0;
                for (ByteBuffer b : scatter) {
                    b.flip();
                    int r = b.remaining();
                    b.get(got, at, r);
                    at += r;
                }
                assertArrayEquals(Arrays.copyOf(data, 9000), got, "seed " + SEED);
            }
            assertTrue(partialWrites > 10 && partialReads > 10,
                    "injection reached the channel: partial writes " + partialWrites + ", reads " + partialReads);
            assertTrue(plan.injectedEnterFaults.sum() > 0);
            Engine engine = ((UringFileSystem) fs).engine();
            assertEquals(engine.stats().submitted(), engine.stats().completed(), engine.stats().toString());
            assertEquals(0, engine.stats().strayCompletions());
        }
    }
}
