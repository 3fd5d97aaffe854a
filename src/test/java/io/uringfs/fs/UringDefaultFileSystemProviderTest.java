package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code file:} front end's URI rules, against the JDK's default provider. */
class UringDefaultFileSystemProviderTest {

    @Test
    void fileSchemeAndUris() throws IOException {
        FileSystemProvider jdk = FileSystems.getDefault().provider();
        UringDefaultFileSystemProvider ours = new UringDefaultFileSystemProvider(jdk);
        assertEquals("file", ours.getScheme());
        UringFileSystem fs = (UringFileSystem) ours.getFileSystem(URI.create("file:///"));
        assertSame(fs, ours.getFileSystem(URI.create("file:///")));
        assertSame(ours, fs.provider());
        Path tmp = Files.createTempDirectory("uris");
        try {
            Path real = Files.writeString(tmp.resolve("a b%\u00e9"), "x");
            List<String> cases = new ArrayList<>(List.of("file:///", real.toUri().toString(), tmp.toUri().toString(),
                    "file:/tmp", "file://host/tmp", "file:///tmp?q", "file:///tmp#f", "file:///a%00b", "uring:///tmp",
                    "file:", "file:relative"));
            for (String u : cases) {
                assertEquals(outcome(() -> jdk.getPath(URI.create(u)).toUri()),
                        outcome(() -> ours.getPath(URI.create(u)).toUri()), u);
                assertEquals(outcome(() -> jdk.getFileSystem(URI.create(u)).getSeparator()),
                        outcome(() -> ours.getFileSystem(URI.create(u)).getSeparator()), u);
            }
            assertThrows(FileSystemAlreadyExistsException.class, () -> ours.newFileSystem(URI.create("file:///"), Map.of()));
            assertEquals(outcome(() -> jdk.newFileSystem(URI.create("file:///x"), Map.of())),
                    outcome(() -> ours.newFileSystem(URI.create("file:///x"), Map.of())));
            assertInstanceOf(UringPath.class, ours.getPath(real.toUri()));
        } finally {
            Files.delete(tmp.resolve("a b%\u00e9"));
            Files.delete(tmp);
        }
    }

    private interface Action { Object run() throws Exception; }

    private static String outcome(Action a) {
        try {
            return "= " + a.run();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
