package io.uringfs.channel;

import io.uringfs.engine.Engine;
import io.uringfs.engine.EngineConfig;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/** One engine for the channel tests (started once, completion thread is a daemon) and open helpers. */
final class TestIo {
    private TestIo() {}

    static final Engine ENGINE = start();
    static final Io IO = new Io(ENGINE);
    static final Io PLAIN = new Io(null);

    private static Engine start() {
        try {
            return Engine.start(EngineConfig.defaults().withThreadName("uringfs-test-completions"));
        } catch (io.uringfs.engine.UringUnavailableException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** com.sun.nio.file.ExtendedOpenOption.DIRECT, looked up reflectively (the module does not read jdk.unsupported). */
    static final OpenOption DIRECT = direct();

    private static OpenOption direct() {
        try {
            return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    static FileChannel open(Path p, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return open(IO, p, options, attrs);
    }

    static FileChannel open(Io io, Path p, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return ChannelFactory.newFileChannel(io, bytes(p), p.toString(), options, attrs);
    }

    /**
     * An engine of its own on which every read, write and fsync is a ring op, from any thread
     * ({@link io.uringfs.engine.RingOnlyEngines}); started on first use.
     */
    static final class RingOnly {
        private RingOnly() {}

        static final Engine ENGINE = start();
        static final Io IO = new Io(ENGINE);

        private static Engine start() {
            try {
                return io.uringfs.engine.RingOnlyEngines.start("uringfs-test-ring-only");
            } catch (io.uringfs.engine.UringUnavailableException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    static FileChannel open(Path p, OpenOption... options) throws IOException {
        return open(p, Set.of(options));
    }

    static AsynchronousFileChannel openAsync(Io io, Path p, ExecutorService ex, OpenOption... options) throws IOException {
        return ChannelFactory.newAsynchronousFileChannel(io, bytes(p), p.toString(), Set.of(options), ex);
    }

    /**
     * Marks the channel's descriptor as one with positions, which the channel otherwise asks the
     * kernel once (lseek) and, for a FIFO, answers with ESPIPE without reaching the ring: a FIFO
     * is the one file a test can open that keeps a positioned ring op pending as long as it likes.
     */
    static void letThroughTheSeekCheck(AsynchronousFileChannel ch) throws ReflectiveOperationException {
        Field seekable = UringAsynchronousFileChannel.class.getDeclaredField("seekable");
        seekable.setAccessible(true);
        Field value = UringAsynchronousFileChannel.class.getDeclaredField("SEEKABLE");
        value.setAccessible(true);
        seekable.setInt(ch, value.getInt(null));
    }

    /**
     * Descriptors of this process open on {@code file}: a leak check that, unlike a plain count,
     * is not disturbed by the JVM opening or closing its own files meanwhile.
     */
    static int openFdsOn(Path file) throws IOException {
        int n = 0;
        try (var s = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(fd).equals(file)) n++;
                } catch (IOException gone) {
                    // closed while listing (the listing's own descriptor)
                }
            }
        }
        return n;
    }
}
