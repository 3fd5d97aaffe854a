package io.uringfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * toRealPath, with and without NOFOLLOW_LINKS, on a tree of directories, files and symbolic links
 * (relative, absolute, dangling, looping, through "..") against the default provider.
 */
class RealPathDifferentialTest {
    static final FileSystem URING = FileSystems.getFileSystem(URI.create("uring:///"));
    static Path tmp;

    @BeforeAll
    static void tree() throws IOException {
        tmp = Files.createTempDirectory("uringfs-realpath").toRealPath();
        Files.createDirectories(tmp.resolve("dir/sub/deep"));
        Files.writeString(tmp.resolve("dir/file"), "x");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("dir"));
        Files.createSymbolicLink(tmp.resolve("abslink"), tmp.resolve("dir/sub"));
        Files.createSymbolicLink(tmp.resolve("dir/sub/up"), Path.of("../.."));
        Files.createSymbolicLink(tmp.resolve("filelink"), Path.of("dir/file"));
        Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(tmp.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(tmp.resolve("loop2"), Path.of("loop1"));
        Files.createSymbolicLink(tmp.resolve("chain"), Path.of("link"));
    }

    @AfterAll
    static void clean() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static final List<String> NAMES = List.of(
            "", ".", "..", "dir", "dir/", "dir/file", "dir/./file", "dir/sub/..", "dir/sub/../..", "dir/sub/deep/../../file",
            "link", "link/", "link/file", "link/..", "link/../dir", "link/sub/..", "link/sub/../..", "link/../..",
            "abslink", "abslink/..", "abslink/deep/..", "abslink/../file", "dir/sub/up", "dir/sub/up/dir/file",
            "dir/sub/up/..", "filelink", "filelink/", "filelink/..", "dangling", "dangling/", "dangling/..", "loop1",
            "loop1/x", "loop1/..", "missing", "missing/..", "missing/x", "dir/file/x", "dir/file/..", "dir/file/.",
            "chain", "chain/sub/deep/../..", "./link/./sub/../file", "dir//sub///deep/");

    @Test
    void absolutePathsInATreeOfLinks() {
        List<String> diffs = new ArrayList<>();
        int failures = 0;
        for (String n : NAMES) {
            for (boolean follow : new boolean[] {true, false}) {
                LinkOption[] opts = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
                String expected = PathOps.outcome(() -> tmp.resolve(n).toRealPath(opts));
                String actual = PathOps.outcome(() -> URING.getPath(tmp.toString()).resolve(n).toRealPath(opts));
                if (expected.startsWith("!")) failures++;
                if (!expected.equals(actual)) diffs.add(n + (follow ? "" : " NOFOLLOW") + ": file=" + expected + " uring=" + actual);
            }
        }
        assertEquals(List.of(), diffs);
        assertTrue(failures >= 10, "the table exercises the error cases: " + failures);
    }

    @Test
    void relativePathsResolveAgainstUserDir() {
        List<String> diffs = new ArrayList<>();
        for (String n : List.of("", ".", "pom.xml", "src/../pom.xml", "src/main/..", "no such file", "pom.xml/x", "..")) {
            for (LinkOption[] opts : List.of(new LinkOption[0], new LinkOption[] {LinkOption.NOFOLLOW_LINKS})) {
                String expected = PathOps.outcome(() -> Path.of(n).toRealPath(opts));
                String actual = PathOps.outcome(() -> URING.getPath(n).toRealPath(opts));
                if (!expected.equals(actual)) diffs.add(n + ": file=" + expected + " uring=" + actual);
            }
        }
        assertEquals(List.of(), diffs);
    }

    @Test
    void resultIsAUringPath() throws IOException {
        Path real = URING.getPath(tmp.toString(), "chain", "file").toRealPath();
        assertEquals(URING, real.getFileSystem());
        assertEquals(tmp.resolve("dir/file").toString(), real.toString());
        assertThrows(NullPointerException.class, () -> URING.getPath("/").toRealPath((LinkOption) null));
    }
}
