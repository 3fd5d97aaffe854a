package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

class FileChannelBasicsTest {
    @TempDir
    Path dir;

    @Test
    void writeReadRoundTrip() throws Exception {
        Path f = dir.resolve("a");
        try (FileChannel ch = TestIo.open(f, CREATE, WRITE, READ)) {
            assertEquals(5, ch.write(ByteBuffer.wrap("hello".getBytes())));
            assertEquals(5, ch.position());
            assertEquals(5, ch.size());
            ByteBuffer d = ByteBuffer.allocateDirect(3).put((byte) 'x').put((byte) 'y').flip();
            assertEquals(2, ch.write(d, 1));
            ByteBuffer r = ByteBuffer.allocate(10);
            assertEquals(5, ch.read(r, 0));
            assertEquals("hxylo", new String(r.array(), 0, 5));
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            assertEquals(0, ch.read(ByteBuffer.allocate(0)));
            ch.truncate(2);
            assertEquals(2, ch.position());
            ch.force(true);
        }
        assertArrayEquals("hx".getBytes(), Files.readAllBytes(f));
    }

    @Test
    void accessModesAndClosed() throws Exception {
        Path f = Files.writeString(dir.resolve("b"), "abc");
        FileChannel r = TestIo.open(f, READ);
        assertThrows(NonWritableChannelException.class, () -> r.write(ByteBuffer.allocate(1)));
        r.close();
        assertThrows(ClosedChannelException.class, () -> r.read(ByteBuffer.allocate(1)));
        try (FileChannel w = TestIo.open(f, WRITE)) {
            assertThrows(NonReadableChannelException.class, () -> w.read(ByteBuffer.allocate(1)));
        }
        try (FileChannel a = TestIo.open(f, APPEND)) {
            assertEquals(3, a.position());
            a.write(ByteBuffer.wrap("de".getBytes()));
            a.write(ByteBuffer.wrap("f".getBytes()), 0); // appends, as pwrite with O_APPEND on Linux
            assertEquals(6, a.position());
        }
        assertEquals("abcdef", Files.readString(f));
    }

    @Test
    void directoryForceWorks() throws Exception {
        try (FileChannel d = TestIo.open(dir, READ)) {
            d.force(true);
            d.force(false);
        }
    }

    /**
     * "Page-cache hits must not pay a park/unpark round trip": reads and buffered writes of a
     * cached file, on platform and virtual threads, with heap and direct buffers, submit nothing
     * to the ring (so no thread parks waiting for a completion).
     */
    @Test
    void pageCacheHitsDoNotGoThroughTheRing() throws Exception {
        Path f = dir.resolve("hot");
        Files.write(f, new byte[1 << 20]);
        Files.readAllBytes(f);
        // a fresh Io: Io keeps per-descriptor page-cache odds, and a reused descriptor number
        // inherits the odds of an earlier (cold) file until its first hit
        io.uringfs.engine.Io io = new io.uringfs.engine.Io(TestIo.ENGINE);
        try (FileChannel ch = ChannelFactory.newFileChannel(io, TestIo.bytes(f), f.toString(), java.util.Set.of(READ, WRITE))) {
            for (boolean virtual : new boolean[] {false, true}) {
                java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
                long before = TestIo.ENGINE.stats().submitted();
                Runnable reads = () -> {
                    try {
                        ByteBuffer heap = ByteBuffer.allocate(4096), direct = ByteBuffer.allocateDirect(4096);
                        for (int i = 0; i < 1000; i++) {
                            assertEquals(4096, ch.read(heap.clear(), (i & 255) * 4096L));
                            assertEquals(4096, ch.read(direct.clear(), (i & 255) * 4096L));
                            assertEquals(4096, ch.write(heap.clear(), (i & 255) * 4096L));
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                };
                Thread t = virtual ? Thread.ofVirtual().start(reads) : Thread.ofPlatform().start(reads);
                t.join();
                assertNull(failure.get());
                assertEquals(0, TestIo.ENGINE.stats().submitted() - before, "ring ops for page-cache hits, virtual=" + virtual);
            }
        }
    }
}
