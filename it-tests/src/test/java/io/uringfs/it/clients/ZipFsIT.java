package io.uringfs.it.clients;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static io.uringfs.it.clients.UringPaths.uring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's zip file system (jdk.zipfs) with its zip file on a {@code uring:} path: it opens the
 * file through our provider, reads it with a byte channel, and on close writes a temp file next to it
 * and moves it over the original, so creating, updating and reading a zip exercises the provider the
 * way an unmodified client does. Results are checked with {@link ZipFile} on the real file, and
 * against the same work done on the default provider.
 */
class ZipFsIT {
    @TempDir
    Path tmp;

    /** Entry name to content, written into every zip. */
    private static Map<String, byte[]> content() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("hello.txt", "hello, zip on io_uring\n".getBytes(StandardCharsets.UTF_8));
        m.put("dir/sub/nested.txt", "nested".getBytes(StandardCharsets.UTF_8));
        m.put("dir/empty.bin", new byte[0]);
        byte[] big = new byte[3 * 1024 * 1024 + 11];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i % 251 ^ i >>> 13);
        m.put("big.bin", big);
        return m;
    }

    private static void writeZip(Path zip) throws IOException {
        try (FileSystem zfs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            for (Map.Entry<String, byte[]> e : content().entrySet()) {
                Path p = zfs.getPath("/" + e.getKey());
                if (p.getParent() != null) Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
            }
        }
    }

    /** Entry name to content of every file entry, read with java.util.zip from the real file. */
    private static Map<String, byte[]> readWithZipFile(Path real) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipFile zf = new ZipFile(real.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) continue;
                try (InputStream in = zf.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    /** Entry name to content of every file entry, read through zipfs over {@code zip}. */
    private static Map<String, byte[]> readWithZipFs(Path zip) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (FileSystem zfs = FileSystems.newFileSystem(zip);
             Stream<Path> s = Files.walk(zfs.getPath("/"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(p.toString().substring(1), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void assertSameContent(Map<String, byte[]> expected, Map<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": entries");
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), what + ": " + k));
    }

    @Test
    void createOnUringAndReadBack() throws IOException {
        Path real = tmp.resolve("made-on-uring.zip");
        Path zip = uring(real);
        writeZip(zip);

        assertTrue(Files.isRegularFile(real), "zip exists on disk");
        assertSameContent(content(), readWithZipFile(real), "java.util.zip reading the uring-made zip");
        assertSameContent(content(), readWithZipFs(zip), "zipfs reading through uring:");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "zipfs left its temp file behind");
        }

        // the same through the default provider gives the same entries
        Path reference = tmp.resolve("made-on-default.zip");
        writeZip(reference);
        assertSameContent(readWithZipFile(reference), readWithZipFile(real), "uring-made vs default-made zip");
    }

    @Test
    void updateZipInPlaceOnUring() throws IOException {
        Path real = tmp.resolve("update.zip");
        writeZip(real); // made by the default provider
        Path zip = uring(real);
        try (FileSystem zfs = FileSystems.newFileSystem(zip)) {
            Files.delete(zfs.getPath("/hello.txt"));
            Files.writeString(zfs.getPath("/dir/added.txt"), "added through uring");
            Files.move(zfs.getPath("/dir/sub/nested.txt"), zfs.getPath("/moved.txt"));
        }
        Map<String, byte[]> expected = content();
        expected.remove("hello.txt");
        expected.put("dir/added.txt", "added through uring".getBytes(StandardCharsets.UTF_8));
        expected.put("moved.txt", expected.remove("dir/sub/nested.txt"));
        assertSameContent(expected, readWithZipFile(real), "zip updated through uring:");
        assertSameContent(expected, readWithZipFs(zip), "zipfs re-reading through uring:");
    }

    @Test
    void missingZipIsReportedLikeTheDefaultProvider() {
        Path real = tmp.resolve("missing.zip");
        Exception onDefault = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> FileSystems.newFileSystem(real, Map.of()));
        Exception onUring = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> FileSystems.newFileSystem(uring(real), Map.of()));
        assertEquals(onDefault.getClass(), onUring.getClass());
        assertEquals(onDefault.getMessage(), onUring.getMessage());
        assertFalse(Files.exists(real));
    }
}
