package io.uringfs.reliability;

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
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * {@code ENOSPC} on a 1 MiB tmpfs: writing past the end of the space gives the default
 * provider's exception (type and message), through a FileChannel and through
 * {@code Files.newOutputStream}, and the data forced before is intact. Needs root (to mount);
 * skipped with the reason otherwise.
 */
class EnospcTest {
    @Test
    void fullFileSystemGivesTheDefaultProvidersExceptionAndKeepsForcedData(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("small");
        Files.createDirectory(mnt);
        mount(mnt);
        try {
            FileSystem uring = FileSystems.getFileSystem(URI.create("uring:///"));
            String onDefault = fill(mnt.resolve("default-channel"), false);
            String onUring = fill(uring.getPath(mnt.resolve("uring-channel").toString()), true);
            assertEquals(onDefault, onUring, "FileChannel write on a full file system");
            assertEquals(IOException.class.getName() + ": No space left on device", onUring);

            String streamDefault = stream(mnt.resolve("default-stream"));
            String streamUring = stream(uring.getPath(mnt.resolve("uring-stream").toString()));
            assertEquals(streamDefault, streamUring, "OutputStream write on a full file system");
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    /** Forces 256 KiB, fills the rest until the write fails, checks the forced part, frees the space. */
    private static String fill(Path file, boolean uring) throws Exception {
        byte[] forced = new byte[256 * 1024];
        new Random(7).nextBytes(forced);
        IOException failure = null;
        try (FileChannel ch = FileChannel.open(file, CREATE_NEW, WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(forced);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
            byte[] junk = new byte[64 * 1024];
            Arrays.fill(junk, (byte) 0x5A);
            try {
                for (int i = 0; i < 64; i++) {
                    ByteBuffer j = ByteBuffer.wrap(junk);
                    while (j.hasRemaining()) ch.write(j);
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
        return failure.getClass().getName() + ": " + failure.getMessage();
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
