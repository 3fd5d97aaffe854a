package io.uringfs.engine;

import io.uringfs.fs.UringFileSystem;
import io.uringfs.ring.IoUring;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every opcode uringfs registers with the kernel ({@link Engine#USED}) is really submitted by the
 * {@code Files} or channel operation that should use it, when that runs on a virtual thread of a
 * {@code uring:} file system: seen as {@code io.uringfs.Operation} JFR events committed by that
 * thread. Where a non-blocking plain first try would serve the operation, the test takes the
 * case the try cannot settle, as an application meets it: a stat of a name the dentry cache does
 * not know yet, {@code O_DIRECT} reads, {@code DSYNC} writes, a creating open.
 *
 * <p>Also keeps {@link Engine#USED} honest: an opcode listed there that nothing submits (dead code,
 * and a hole in the ring's restriction list) fails the test. NOP is the one exception: only the
 * engine submits it, to wake its completion thread at close.
 */
class RingOpcodesTest {
    private static final String OP = "io.uringfs.Operation";

    @TempDir
    Path tmp;

    @Test
    void everyUsedOpcodeReachesTheRingFromAVirtualThread() throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path jfr = tmp.resolve("ops.jfr");
        Set<Long> threads = new HashSet<>();
        long cancels;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("uring://opcodes/"), Map.of());
             Recording rec = new Recording()) {
            Engine engine = ((UringFileSystem) fs).engine();
            assertNotNull(engine, "the file system fell back to plain system calls: " + ((UringFileSystem) fs).fallbackReason());
            assertNull(engine.faults, "a fault plan would send operations to the ring that would not go there");
            Path dir = fs.getPath(tmp.toString());
            rec.enable(OP).withoutThreshold().withoutStackTrace();
            rec.start();

            threads.add(OnVirtualThread.call(() -> {
                operations(dir);
                return Thread.currentThread().threadId();
            }));
            long cancelsBefore = engine.stats().cancels();
            threads.add(cancelledFifoRead(fs.getPath(fifo.toString())));
            cancels = engine.stats().cancels() - cancelsBefore;
            rec.stop();
            rec.dump(jfr);
        }
        Map<String, Integer> seen = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals(OP) || e.getThread() == null) continue;
            // a cancel is committed by whichever thread reaps it; the engine's own counter pins it to this file system
            if (threads.contains(e.getThread().getJavaThreadId()) || e.getString("opcode").equals("ASYNC_CANCEL")) {
                seen.merge(e.getString("opcode"), 1, Integer::sum);
            }
        }
        Set<String> missing = new TreeSet<>();
        for (byte op : Engine.USED) {
            if (op != IoUring.OP_NOP && !seen.containsKey(IoUring.opName(op))) missing.add(IoUring.opName(op));
        }
        System.out.println("ring ops submitted by the virtual threads: " + seen);
        assertTrue(missing.isEmpty(), "never submitted to the ring: " + missing + "; seen " + seen);
        assertTrue(cancels > 0, "the close cancelled nothing on this file system's ring");
    }

    /** The operations, each of which must submit its opcode. */
    private static void operations(Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));                                   // MKDIRAT
        Path f = d.resolve("f");
        ByteBuffer block = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).slice(0, 2 * 4096);
        try (FileChannel ch = FileChannel.open(f, CREATE, WRITE, DSYNC)) {                  // OPENAT (creating)
            while (block.hasRemaining()) ch.write(block);                                  // WRITE (DSYNC waits for the device)
            ch.write(new ByteBuffer[] {ByteBuffer.allocate(3), ByteBuffer.allocate(5)});   // WRITEV
            ch.force(true);                                                                // FSYNC
            ch.truncate(2 * 4096);                                                         // FTRUNCATE
        }   // a channel's close is a plain close(2), by design (FileOps.releaseLocksAndClose)
        try (FileChannel ch = FileChannel.open(f, READ, direct())) {
            assertEquals(4096, ch.read(block.clear().limit(4096), 0));                     // READ (O_DIRECT)
            ch.position(0);
            assertEquals(2 * 4096, ch.read(new ByteBuffer[] {block.clear().slice(0, 4096), block.slice(4096, 4096)})); // READV
        }
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        xattrs.write("k", ByteBuffer.wrap(new byte[] {1, 2, 3}));                            // FSETXATTR, CLOSE of its descriptor
        assertEquals(3, xattrs.size("k"));                                                 // FGETXATTR
        Path g = d.resolve("g");
        try (FileChannel in = FileChannel.open(f, READ); FileChannel out = FileChannel.open(g, CREATE, WRITE)) {
            assertEquals(2 * 4096, in.transferTo(0, Long.MAX_VALUE, out));                // SPLICE (uring to uring on a virtual thread)
        }
        Files.createSymbolicLink(d.resolve("l"), f.getFileName());                         // SYMLINKAT
        Files.createLink(d.resolve("h"), f);                                               // LINKAT
        Files.move(d.resolve("h"), d.resolve("h2"));                                       // RENAMEAT
        Files.delete(d.resolve("h2"));                                                     // UNLINKAT
        // a name never looked up: the dentry cache cannot answer, so the stat waits on the ring
        assertThrows(NoSuchFileException.class,
                () -> Files.readAttributes(d.resolve("never-looked-up"), BasicFileAttributes.class)); // STATX
    }

    /** A virtual thread blocked in a ring read of an empty FIFO, woken by a close: ASYNC_CANCEL. */
    private static long cancelledFifoRead(Path fifo) throws Exception {
        try (FileChannel ch = FileChannel.open(fifo, READ, WRITE)) {   // O_RDWR: the open does not wait for a writer
            Throwable[] outcome = new Throwable[1];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    ch.read(ByteBuffer.allocate(16));
                } catch (Throwable e) {
                    outcome[0] = e;
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reader.getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < deadline, "the reader never blocked");
                Thread.sleep(1);
            }
            ch.close();
            assertTrue(reader.join(java.time.Duration.ofSeconds(10)), "the close did not wake the reader");
            assertInstanceOf(AsynchronousCloseException.class, outcome[0]);
            return reader.threadId();
        }
    }

    /** com.sun.nio.file.ExtendedOpenOption.DIRECT, looked up reflectively (the module does not read jdk.unsupported). */
    private static OpenOption direct() throws ReflectiveOperationException {
        return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
    }
}
