package io.uringfs.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.COPY_ATTRIBUTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Copies and moves between uring: and the default provider, through {@code Files} (which uses its
 * own stream copy for two providers) and directly through the uring provider (which does the same
 * instead of throwing ProviderMismatchException); plus temp files on uring:.
 */
class ForeignCopyTest {
    @TempDir Path dir;

    @Test
    void filesCopyBothWaysWithAttributes() throws Exception {
        Path src = Files.writeString(dir.resolve("a"), "payload");
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(src, FileTime.fromMillis(1_234_567_000L));
        Path u = Differential.uring(dir.resolve("b"));
        Files.copy(src, u, COPY_ATTRIBUTES);
        Path back = dir.resolve("c");
        Files.copy(u, back, COPY_ATTRIBUTES);
        for (Path p : new Path[] {Path.of(u.toString()), back}) {
            assertEquals("payload", Files.readString(p));
            assertEquals(FileTime.fromMillis(1_234_567_000L), Files.getLastModifiedTime(p));
            assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(p));
        }
        assertThrows(FileAlreadyExistsException.class, () -> Files.copy(u, back));
    }

    @Test
    void providerCopyAndMoveToAForeignTarget() throws Exception {
        Path u = Differential.uring(Files.writeString(dir.resolve("a"), "x"));
        u.getFileSystem().provider().copy(u, dir.resolve("b"));
        assertEquals("x", Files.readString(dir.resolve("b")));
        assertThrows(AtomicMoveNotSupportedException.class, () -> u.getFileSystem().provider().move(u, dir.resolve("c"), ATOMIC_MOVE));
        u.getFileSystem().provider().move(u, dir.resolve("c"));
        assertFalse(Files.exists(dir.resolve("a")));
        assertEquals("x", Files.readString(dir.resolve("c")));
    }

    @Test
    void tempFilesOnUring() throws Exception {
        Path u = Differential.uring(dir);
        Path f = Files.createTempFile(u, "p", ".s");
        Path d = Files.createTempDirectory(u, "p");
        assertEquals(u, f.getParent());
        // owner-only, as the default provider makes temp directories and files
        assertEquals(Files.getPosixFilePermissions(Files.createTempDirectory(dir, "p")), Files.getPosixFilePermissions(d));
        assertEquals(Files.getPosixFilePermissions(Files.createTempFile(dir, "q", ".s")), Files.getPosixFilePermissions(f));
        Files.writeString(f, "t");
        assertEquals("t", Files.readString(f));
    }
}
