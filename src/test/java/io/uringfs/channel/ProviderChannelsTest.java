package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/** The channels reached through the provider: {@code FileChannel.open(Path.of(URI.create("uring:///...")))}. */
class ProviderChannelsTest {
    @TempDir
    Path dir;

    private Path uring(Path p) {
        return Path.of(URI.create("uring://" + p.toAbsolutePath()));
    }

    @Test
    void fileChannelThroughProvider() throws Exception {
        Path f = dir.resolve("f");
        try (FileChannel ch = FileChannel.open(uring(f), CREATE_NEW, WRITE, READ)) {
            assertInstanceOf(UringFileChannel.class, ch);
            ch.write(ByteBuffer.wrap("uring".getBytes()));
        }
        assertEquals("uring", Files.readString(f));
        try (var ch = Files.newByteChannel(uring(f))) {
            ByteBuffer b = ByteBuffer.allocate(10);
            assertEquals(5, ch.read(b));
        }
    }

    @Test
    void streamsThroughProvider() throws Exception {
        Path f = uring(dir.resolve("s"));
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write("stream".getBytes());
        }
        try (InputStream in = Files.newInputStream(f)) {
            assertArrayEquals("stream".getBytes(), in.readAllBytes());
        }
        assertEquals("'WRITE' not allowed",
                assertThrows(UnsupportedOperationException.class, () -> Files.newInputStream(f, WRITE)).getMessage());
        assertEquals("READ not allowed",
                assertThrows(IllegalArgumentException.class, () -> Files.newOutputStream(f, READ)).getMessage());
        // streams are uninterruptible, like the JDK's
        Thread.currentThread().interrupt();
        try (InputStream in = Files.newInputStream(f)) {
            assertEquals(6, in.readAllBytes().length);
        } finally {
            assertTrue(Thread.interrupted());
        }
    }

    @Test
    void asyncThroughProvider() throws Exception {
        Path f = uring(dir.resolve("a"));
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(f, CREATE, WRITE, READ)) {
            assertEquals(3, ch.write(ByteBuffer.wrap("abc".getBytes()), 0).get());
            ByteBuffer b = ByteBuffer.allocate(3);
            assertEquals(3, ch.read(b, 0).get());
            assertEquals("abc", new String(b.array()));
        }
    }
}
