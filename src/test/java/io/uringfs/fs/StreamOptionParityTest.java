package io.uringfs.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.*;

/** Small API edges where uringfs once differed from the default provider (found by review); each runs on both. */
class StreamOptionParityTest {
    @TempDir
    Path dir;

    private static Path[] both(Path p) {
        return new Path[] {p, Differential.uring(p)};
    }

    @Test
    void newInputStreamAcceptsRepeatedOptions() throws Exception {
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        for (Path f : both(dir.resolve("f"))) {
            try (var in = Files.newInputStream(f, StandardOpenOption.READ, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS, LinkOption.NOFOLLOW_LINKS)) {
                assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes(), f.toUri().toString());
            }
        }
    }

    @Test
    void secureDirectoryStreamRejectsANullViewType() throws Exception {
        Files.write(dir.resolve("f"), new byte[0]);
        for (Path d : both(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                SecureDirectoryStream<Path> sds = assertInstanceOf(SecureDirectoryStream.class, ds);
                assertThrows(NullPointerException.class, () -> sds.getFileAttributeView(null), d.toUri().toString());
                assertThrows(NullPointerException.class, () -> sds.getFileAttributeView(d.getFileSystem().getPath("f"), null), d.toUri().toString());
            }
        }
    }

    @Test
    void directoryIteratorRemoveIsUnsupportedWithoutAMessage() throws Exception {
        Files.write(dir.resolve("f"), new byte[0]);
        for (Path d : both(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                Iterator<Path> it = ds.iterator();
                it.next();
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, it::remove);
                assertNull(e.getMessage(), d.toUri().toString());
            }
        }
    }
}
