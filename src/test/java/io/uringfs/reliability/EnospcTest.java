package io.uringfs.reliability;

import io.uringfs.engine.EngineStats;
import io.uringfs.engine.OnVirtualThread;
import io.uringfs.fs.UringFileSystem;
import io.uringfs.ring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * {@code ENOSPC} on a 1 MiB tmpfs: writing past the end of the space gives the default
 * provider's exception (type and message), through a FileChannel and through
 * {@code Files.newOutputStream}, and the data forced before is intact. The writes run on virtual
 * threads, where uringfs uses the ring: with {@code DSYNC} every write is a ring op (no page-cache
 * try first), and the test checks from the engine's counts that the failing write was one, so the
 * {@code ENOSPC} really came from a CQE; without it {@link io.uringfs.engine.Io} may try a plain
 * {@code RWF_NOWAIT} write first, which then reports it. Needs root (to mount); skipped with the
 * reason otherwise.
 */
class EnospcTest {
    @Test
    void fullFileSystemGivesTheDefaultProvidersExceptionAndKeepsForcedData(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("small");
        Files.createDirectory(mnt);
        mount(mnt);
        try (FileSystem uring = FileSystems.newFileSystem(URI.create("uring://enospc/"), Map.of())) {
            assertTrue(((UringFileSystem) uring).usesRing());
            for (boolean dsync : new boolean[] {false, true}) {
                OpenOption[] extra = dsync ? new OpenOption[] {DSYNC} : new OpenOption[0];
                Filled onDefault = OnVirtualThread.call(() -> fill(mnt.resolve("default-channel"), extra));
                Filled onUring = OnVirtualThread.call(() -> fill(uring.getPath(mnt.resolve("uring-channel").toString()), extra));
                assertEquals(onDefault.failure, onUring.failure, "FileChannel write on a full file system, dsync=" + dsync);
                assertEquals(IOException.class.getName() + ": No space left on device", onUring.failure);
                if (dsync) {
                    assertTrue(onUring.ringWritesInFailingCall > 0, "the failing O_DSYNC write was not a ring op");
                }
                System.out.printf("ENOSPC (dsync=%s): ring WRITE ops in the failing call: %d%n", dsync, onUring.ringWritesInFailingCall);
            }
            String streamDefault = OnVirtualThread.call(() -> stream(mnt.resolve("default-stream")));
            String streamUring = OnVirtualThread.call(() -> stream(uring.getPath(mnt.resolve("uring-stream").toString())));
            assertEquals(streamDefault, streamUring, "OutputStream write on a full file system");
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    /** How a fill ended: the exception, and how many ring WRITE ops the failing call submitted (uring: only). */
    private record Filled(String failure, long ringWritesInFailingCall) {}

    /** Forces 256 KiB, fills the rest until the write fails, checks the forced part, frees the space. */
    private static Filled fill(Path file, OpenOption... extra) throws Exception {
        boolean uring = file.getFileSystem() instanceof UringFileSystem;
        EngineStats stats = uring ? ((UringFileSystem) file.getFileSystem()).engine().stats() : null;
        byte[] forced = new byte[256 * 1024];
        new Random(7).nextBytes(forced);
        IOException failure = null;
        long ringWrites = 0;
        Set<OpenOption> options = new HashSet<>(List.of(CREATE_NEW, WRITE));
        options.addAll(List.of(extra));
        try (FileChannel ch = FileChannel.open(file, options)) {
            ByteBuffer b = ByteBuffer.wrap(forced);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
            byte[] junk = new byte[64 * 1024];
            Arrays.fill(junk, (byte) 0x5A);
            try {
                for (int i = 0; i < 64; i++) {
                    ByteBuffer j = ByteBuffer.wrap(junk);
                    while (j.hasRemaining()) {
                        long before = uring ? stats.submitted(IoUring.OP_WRITE) : 0;
                        try {
                            ch.write(j);
                        } finally {
                            ringWrites = uring ? stats.submitted(IoUring.OP_WRITE) - before : 0;
                        }
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
        }
        assertNotNull(failure, (uring ? "uring:" : "file:") + " wrote 4 MiB to a 1 MiB tmpfs");
        Path plain = Path.of(file.toString());
        byte[] back = Arrays.copyOf(Files.readAllBytes(plain), forced.length);
        assertArrayEquals(forced, back, (uring ? "uring:" : "file:") + " forced data damaged by ENOSPC");
        Files.delete(plain);
        return new Filled(failure.getClass().getName() + ": " + failure.getMessage(), ringWrites);
    }

    private static String stream(Path file) throws IOException {
        byte[] junk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 64; i++) out.write(junk);
        } catch (IOException e) {
            Files.delete(Path.of(file.toString()));
            return e.getClass().getName() + ": " + e.getMessage();
        }
        return "no exception";
    }

    private static void mount(Path mnt) throws Exception {
        String who = run("id", "-u").trim();
        if (!who.equals("0")) abort("ENOSPC test mounts a 1 MiB tmpfs and needs root; running as uid " + who);
        String out = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString());
        if (!Files.getFileStore(mnt).type().equals("tmpfs")) {
            abort("could not mount a tmpfs on " + mnt + " (no CAP_SYS_ADMIN in this container?): " + out);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
