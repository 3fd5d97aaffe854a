package io.uringfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code uring:} URIs against {@code file:} URIs: encoding, trailing slash, round trips, rejection. */
class UriDifferentialTest {
    static final FileSystemProvider FILE = FileSystems.getDefault().provider();
    static final FileSystemProvider URING = FileSystems.getFileSystem(URI.create("uring:///")).provider();
    static Path tmp;

    @BeforeAll
    static void tree() throws IOException {
        tmp = Files.createTempDirectory("uringfs uri %é");
        Files.createDirectories(tmp.resolve("dir with space/sub%25"));
        Files.createDirectories(tmp.resolve("ü日本"));
        Files.writeString(tmp.resolve("file #1"), "x");
        Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("dir with space"));
    }

    @AfterAll
    static void clean() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static Path uring(String s) {
        return FileSystems.getFileSystem(URI.create("uring:///")).getPath(s);
    }

    @Test
    void toUriEncodesLikeFileUrisAndMarksDirectories() {
        List<String> names = List.of("", ".", "dir with space", "dir with space/sub%25", "dir with space/sub%25/",
                "ü日本", "file #1", "link", "link/sub%25", "missing", "missing/", "a/../dir with space");
        List<String> diffs = new ArrayList<>();
        int directories = 0;
        for (String n : names) {
            String expected = PathOps.schemeless(tmp.resolve(n).toUri());
            String actual = PathOps.schemeless(uring(tmp.toString()).resolve(n).toUri());
            if (!expected.equals(actual)) diffs.add(n + ": file=" + expected + " uring=" + actual);
            if (expected.endsWith("/")) directories++;
        }
        assertEquals(List.of(), diffs);
        assertTrue(directories >= 5, "the table exercises the trailing slash of directories");
        // relative paths: against user.dir, like file:
        for (String n : List.of("", ".", "src", "src/main", "pom.xml", "no such", "x y/é")) {
            assertEquals(PathOps.schemeless(Path.of(n).toUri()), PathOps.schemeless(uring(n).toUri()), n);
        }
    }

    @Test
    void everyPathRoundTripsThroughItsUri() {
        List<Path> paths = new ArrayList<>();
        for (String n : List.of("", "dir with space", "dir with space/sub%25", "ü日本", "file #1", "link", "x?y#z",
                "%", "%%25", "a b/c d", "tab\tnewline\n")) {
            paths.add(uring(tmp.toString()).resolve(n));
        }
        paths.add(uring("/"));
        // bytes that are not UTF-8 survive: only a URI can make them here
        paths.add(Path.of(URI.create("uring:///tmp/x%FFy%C3")));
        for (Path p : paths) {
            URI uri = p.toUri();
            assertEquals(p, Path.of(uri), uri.toString());
            assertEquals(uri, Path.of(uri).toUri());
        }
        assertEquals("uring:///tmp/x%FFy%C3", Path.of(URI.create("uring:///tmp/x%FFy%C3")).toUri().toString());
        assertEquals(PathOps.schemeless(Path.of(URI.create("file:///tmp/x%FFy%C3")).toUri()),
                PathOps.schemeless(Path.of(URI.create("uring:///tmp/x%FFy%C3")).toUri()));
    }

    @Test
    void uriForms() {
        assertEquals("/a/b", Path.of(URI.create("uring:///a/b")).toString());
        assertEquals("/a/b", Path.of(URI.create("uring:/a/b")).toString());
        // like file: URIs, only the last "/" goes: the JDK makes "/a/b/" of file:///a//b// too
        assertEquals("/a/b/", Path.of(URI.create("uring:////a//b//")).toString());
        assertEquals(Path.of(URI.create("file:////a//b//")).toString(), Path.of(URI.create("uring:////a//b//")).toString());
        assertEquals("/", Path.of(URI.create("uring:///")).toString());
        assertEquals("/a b", Path.of(URI.create("URING:///a%20b")).toString());
    }

    /** The same URI, with {@code S} as its scheme, given to each provider. */
    static final List<String> URIS = List.of(
            "S:///a", "S:/a", "S:///a/", "S:/a/", "S:///", "S:/", "S:///a?q=1", "S:///a#f", "S:/a?q", "S:/a#f",
            "S:///a%00b", "S:/a%00b", "S:///a%2Fb", "S:///%C3%A9", "S:///é", "S:/é", "S:/a%FF", "S:///a%FF",
            "S:a", "S:a/b", "S:?q", "S:///a//b", "S:////a", "S:/..", "S:///a/../b", "S:///%25", "S:/a%20b/",
            "S://host/a?q", "S://host/a#f", "S://host/a?q#f", "a/b", "/a/b", "//host/a");

    @Test
    void getPathChecksAndMessagesMatchFileUris() {
        List<String> diffs = new ArrayList<>();
        for (String u : URIS) {
            String expected = PathOps.outcome(() -> FILE.getPath(URI.create(u.replace("S:", "file:"))));
            String actual = PathOps.outcome(() -> URING.getPath(URI.create(u.replace("S:", "uring:"))))
                    .replace("\"uring\"", "\"file\"");
            if (!expected.equals(actual)) diffs.add(u + ": file=" + expected + " uring=" + actual);
        }
        assertEquals(List.of(), diffs);
        // each provider rejects the other's scheme alike
        assertEquals(PathOps.outcome(() -> FILE.getPath(URI.create("uring:///a"))).replace("file", "uring"),
                PathOps.outcome(() -> URING.getPath(URI.create("file:///a"))));
    }

    @Test
    void anAuthorityNamesAFileSystem() {
        // file: rejects any authority; for uring: it may name an open file system, and is
        // rejected as file: rejects it when it names none
        String rejected = "!java.lang.IllegalArgumentException: URI has an authority component";
        assertEquals(rejected, PathOps.outcome(() -> FILE.getPath(URI.create("file://host/a"))));
        assertEquals(rejected, PathOps.outcome(() -> URING.getPath(URI.create("uring://nosuchfs/a"))));
        assertThrows(FileSystemNotFoundException.class, () -> URING.getFileSystem(URI.create("uring://nosuchfs/")));
    }

    @Test
    void fileSystemUriChecksMatchTheDefaultProvider() {
        List<String> diffs = new ArrayList<>();
        for (String u : List.of("S:///", "S:///a", "S:/", "S:///?q", "S:///#f", "S:", "S:a")) {
            String fu = u.replace("S:", "file:");
            String uu = u.replace("S:", "uring:");
            if (fu.equals("file:")) continue;   // not a URI at all
            String expected = PathOps.outcome(() -> FILE.getFileSystem(URI.create(fu)).provider().getScheme());
            String actual = PathOps.outcome(() -> URING.getFileSystem(URI.create(uu)).provider().getScheme())
                    .replace("uring", "file");
            if (!expected.equals(actual)) diffs.add(u + ": file=" + expected + " uring=" + actual);
        }
        assertEquals(List.of(), diffs);
    }
}
