package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every operation of a closed {@link FileChannel} and {@link AsynchronousFileChannel} (and argument
 * errors on closed channels, where the JDK's check order decides which exception wins) gives the
 * same outcome as on the default provider's channels. The JDK's async {@code truncate} answers
 * {@code AsynchronousCloseException} here, its {@code size} and {@code force}
 * {@code ClosedChannelException}: both are matched.
 */
class ClosedChannelDifferentialTest {
    @TempDir
    Path dir;

    private static final List<Set<OpenOption>> MODES = List.of(Set.of(READ), Set.of(WRITE), Set.of(READ, WRITE),
            Set.of(APPEND));

    interface FcOpener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    interface AfcOpener {
        AsynchronousFileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private List<String> closedFileChannel(FcOpener opener, Path f, Set<OpenOption> mode) throws Exception {
        Files.writeString(f, "0123456789");
        FileChannel ch = opener.open(f, mode);
        FileLock held = mode.contains(READ) ? ch.lock(0, 1, true) : ch.lock(0, 1, false);
        ch.close();
        ByteBuffer heap = ByteBuffer.allocate(4), direct = ByteBuffer.allocateDirect(4);
        ByteBuffer[] bufs = {ByteBuffer.allocate(2), ByteBuffer.allocate(2)};
        List<String> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined(); FileChannel other = FileChannel.open(dir.resolve("other"), CREATE, READ, WRITE)) {
            Pipe pipe = Pipe.open();
            try (var sink = pipe.sink(); var source = pipe.source()) {
                out.add(Outcome.of(ch::isOpen));
                out.add(Outcome.of(() -> ch.read(heap)));
                out.add(Outcome.of(() -> ch.read(direct)));
                out.add(Outcome.of(() -> ch.read(ByteBuffer.allocate(0))));
                out.add(Outcome.of(() -> ch.read(heap.asReadOnlyBuffer())));
                out.add(Outcome.of(() -> ch.read(heap, 0)));
                out.add(Outcome.of(() -> ch.read(heap, -1)));
                out.add(Outcome.of(() -> ch.read(null, 0)));
                out.add(Outcome.of(() -> ch.read(bufs)));
                out.add(Outcome.of(() -> ch.read(bufs, 1, 5)));
                out.add(Outcome.of(() -> ch.write(ByteBuffer.wrap(new byte[1]))));
                out.add(Outcome.of(() -> ch.write(direct, 3)));
                out.add(Outcome.of(() -> ch.write(heap, -1)));
                out.add(Outcome.of(() -> ch.write(bufs)));
                out.add(Outcome.of(() -> ch.write(bufs, -1, 1)));
                out.add(Outcome.of(ch::position));
                out.add(Outcome.of(() -> ch.position(3)));
                out.add(Outcome.of(() -> ch.position(-1)));
                out.add(Outcome.of(ch::size));
                out.add(Outcome.of(() -> ch.truncate(0)));
                out.add(Outcome.of(() -> ch.truncate(-1)));
                out.add(Outcome.of(() -> {
                    ch.force(true);
                    return null;
                }));
                out.add(Outcome.of(() -> ch.transferTo(0, 4, other)));
                out.add(Outcome.of(() -> ch.transferTo(0, 4, sink)));
                out.add(Outcome.of(() -> ch.transferTo(-1, 4, other)));
                out.add(Outcome.of(() -> ch.transferFrom(other, 0, 4)));
                out.add(Outcome.of(() -> ch.transferFrom(source, 0, 4)));
                out.add(Outcome.of(() -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 4)));
                out.add(Outcome.of(() -> ch.map(FileChannel.MapMode.READ_WRITE, 0, 4)));
                out.add(Outcome.of(() -> ch.map(FileChannel.MapMode.READ_ONLY, -1, 4)));
                out.add(Outcome.of(() -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 4, arena)));
                out.add(Outcome.of(() -> ch.map(FileChannel.MapMode.PRIVATE, 0, 4, arena)));
                out.add(Outcome.of(() -> ch.lock()));
                out.add(Outcome.of(() -> ch.lock(0, 1, true)));
                out.add(Outcome.of(() -> ch.lock(-1, 1, false)));
                out.add(Outcome.of(() -> ch.tryLock()));
                out.add(Outcome.of(() -> ch.tryLock(0, -1, true)));
                out.add(Outcome.of(held::isValid));
                out.add(Outcome.of(() -> {
                    held.release();
                    return null;
                }));
                out.add(Outcome.of(() -> {
                    ch.close();
                    return ch.isOpen();
                }));
            }
        }
        return out;
    }

    @Test
    void closedFileChannel() throws Exception {
        for (Set<OpenOption> mode : MODES) {
            List<String> jdk = closedFileChannel((p, o) -> FileChannel.open(p, o), dir.resolve("j"), mode);
            List<String> uring = closedFileChannel((p, o) -> TestIo.open(p, o), dir.resolve("u"), mode);
            assertEquals(String.join("\n", jdk), String.join("\n", uring), "mode " + mode);
        }
    }

    private List<String> closedAsyncChannel(AfcOpener opener, Path f, Set<OpenOption> mode) throws Exception {
        Files.writeString(f, "0123456789");
        AsynchronousFileChannel ch = opener.open(f, mode);
        FileLock held = ch.lock(0, 1, mode.contains(READ) && !mode.contains(WRITE)).get();
        ch.close();
        ByteBuffer heap = ByteBuffer.allocate(4), direct = ByteBuffer.allocateDirect(4);
        List<String> out = new ArrayList<>();
        out.add(Outcome.of(ch::isOpen));
        out.add(Outcome.of(() -> ch.read(heap, 0)));
        out.add(Outcome.of(() -> ch.read(direct, 0)));
        out.add(Outcome.of(() -> ch.read(ByteBuffer.allocate(0), 0)));
        out.add(Outcome.of(() -> ch.read(heap, -1)));
        out.add(Outcome.of(() -> ch.read(heap.asReadOnlyBuffer(), 0)));
        out.add(Outcome.of(() -> Outcome.<Integer>handler(h -> ch.read(heap, 0, null, h))));
        out.add(Outcome.of(() -> {
            ch.read(heap, 0, null, (java.nio.channels.CompletionHandler<Integer, Object>) null);
            return null;
        }));
        out.add(Outcome.of(() -> ch.write(ByteBuffer.wrap(new byte[1]), 0)));
        out.add(Outcome.of(() -> ch.write(ByteBuffer.allocate(0), 0)));
        out.add(Outcome.of(() -> ch.write(direct, -1)));
        out.add(Outcome.of(() -> Outcome.<Integer>handler(h -> ch.write(ByteBuffer.wrap(new byte[1]), 0, null, h))));
        out.add(Outcome.of(() -> ch.lock()));
        out.add(Outcome.of(() -> ch.lock(0, 1, true)));
        out.add(Outcome.of(() -> ch.lock(-1, 1, false)));
        out.add(Outcome.of(() -> Outcome.<FileLock>handler(h -> ch.lock(0, 1, false, null, h))));
        out.add(Outcome.of(() -> ch.tryLock()));
        out.add(Outcome.of(() -> ch.tryLock(0, 1, true)));
        out.add(Outcome.of(() -> ch.tryLock(-1, 1, false)));
        out.add(Outcome.of(ch::size));
        out.add(Outcome.of(() -> ch.truncate(0)));
        out.add(Outcome.of(() -> ch.truncate(-1)));
        out.add(Outcome.of(() -> {
            ch.force(true);
            return null;
        }));
        out.add(Outcome.of(() -> {
            ch.force(false);
            return null;
        }));
        out.add(Outcome.of(held::isValid));
        out.add(Outcome.of(() -> {
            held.release();
            return null;
        }));
        out.add(Outcome.of(() -> {
            ch.close();
            return ch.isOpen();
        }));
        return out;
    }

    @Test
    void closedAsynchronousFileChannel() throws Exception {
        for (Set<OpenOption> mode : List.<Set<OpenOption>>of(Set.of(READ, WRITE), Set.of(WRITE), Set.of(READ))) {
            List<String> jdk = closedAsyncChannel((p, o) -> AsynchronousFileChannel.open(p, o, null), dir.resolve("j"), mode);
            List<String> uring = closedAsyncChannel((p, o) -> TestIo.openAsync(TestIo.IO, p, null, o.toArray(OpenOption[]::new)),
                    dir.resolve("u"), mode);
            assertEquals(String.join("\n", jdk), String.join("\n", uring), "mode " + mode);
        }
    }

    @Test
    void closedAsynchronousFileChannelInFallbackMode() throws Exception {
        Set<OpenOption> mode = Set.of(READ, WRITE);
        List<String> jdk = closedAsyncChannel((p, o) -> AsynchronousFileChannel.open(p, o, null), dir.resolve("j"), mode);
        List<String> plain = closedAsyncChannel((p, o) -> TestIo.openAsync(TestIo.PLAIN, p, null, o.toArray(OpenOption[]::new)),
                dir.resolve("p"), mode);
        assertEquals(String.join("\n", jdk), String.join("\n", plain));
    }
}
