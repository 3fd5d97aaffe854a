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
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a named {@code uring:} file system closes its open channels and streams
 * ({@link FileSystem#close}'s contract) while other threads are reading and writing through them:
 * the I/O ends with the channel exceptions of a closed channel (never an unchecked exception),
 * nothing is left in flight on the engine, and no descriptor leaks.
 */
class ClosedFileSystemTest {
    @Test
    void closingTheFileSystemClosesItsChannelsUnderLoad(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("f"), new byte[1 << 20]);
        List<String> fdsBefore = Fds.targetsFor(dir);
        FileSystem fs = FileSystems.newFileSystem(URI.create("uring://closed-under-load/"), Map.of());
        Engine engine = ((UringFileSystem) fs).engine();
        Path p = fs.getPath(dir.resolve("f").toString());
        FileChannel ch = FileChannel.open(p, READ, WRITE);
        AsynchronousFileChannel async = AsynchronousFileChannel.open(p, READ, WRITE);
        InputStream in = Files.newInputStream(p);
        OutputStream out = Files.newOutputStream(fs.getPath(dir.resolve("g").toString()));

        ConcurrentLinkedQueue<Throwable> endings = new ConcurrentLinkedQueue<>();
        AtomicLong ops = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int id = t;
            workers.add(Thread.ofVirtual().start(() -> {
                ByteBuffer b = id % 2 == 0 ? ByteBuffer.allocate(4096) : ByteBuffer.allocateDirect(4096);
                try {
                    for (long i = 0; ; i++) {
                        b.clear();
                        long pos = ((id * 31 + i) % 256) * 4096;
                        switch (id % 4) {
                            case 0 -> ch.read(b, pos);
                            case 1 -> ch.write(b, pos);
                            case 2 -> async.read(b, pos).get();
                            default -> { if (i % 8 == 0) ch.force(false); else ch.size(); }
                        }
                        ops.incrementAndGet();
                    }
                } catch (Throwable e) {
                    endings.add(e instanceof ExecutionException ee ? ee.getCause() : e);
                }
            }));
        }
        while (ops.get() < 2000) Thread.sleep(1);
        fs.close();
        for (Thread w : workers) {
            w.join(10_000);
            assertFalse(w.isAlive(), "a worker is stuck after the file system closed");
        }
        assertEquals(16, endings.size());
        for (Throwable e : endings) {
            assertInstanceOf(ClosedChannelException.class, e, "a worker ended with " + e); // AsynchronousCloseException is one
        }
        assertFalse(ch.isOpen());
        assertFalse(async.isOpen());
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.allocate(1), 0));
        assertThrows(ClosedChannelException.class, () -> ch.force(true));
        ExecutionException ee = assertThrows(ExecutionException.class, () -> async.read(ByteBuffer.allocate(1), 0).get());
        assertInstanceOf(ClosedChannelException.class, ee.getCause());
        assertThrows(IOException.class, in::read);
        assertThrows(IOException.class, () -> out.write(1));
        assertThrows(ClosedFileSystemException.class, () -> FileChannel.open(p, READ));
        ch.close(); // closing again is harmless
        in.close();
        out.close();
        assertEquals(0, engine.inFlight());
        assertEquals(engine.stats().submitted(), engine.stats().completed(), engine.stats().toString());
        assertEquals(0, engine.stats().strayCompletions());
        assertEquals(fdsBefore, Fds.targetsFor(dir), "descriptors leaked");
        assertTrue(engine.isClosed());
        // The name is free again.
        FileSystems.newFileSystem(URI.create("uring://closed-under-load/"), Map.of()).close();
    }
}
