package io.uringfs.fs;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.uringfs.fs.Differential.read;
import static io.uringfs.fs.Differential.write;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.COPY_ATTRIBUTES;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The path operations (create, delete, links, isSameFile, isHidden, checkAccess, copy, move) run
 * as the same scenario on the default provider, on uring: and, where marked, on jimfs (Unix
 * configuration); the outcomes (result or exception class and message) must be identical.
 *
 * <p>Each provider gets its own fresh root directory (default and uring under /tmp, an ext4 file
 * system here; a second root under /dev/shm, tmpfs, for moves across file systems).
 */
class FileOperationsDifferentialTest {
    private static final List<Path> CLEANUP = new ArrayList<>();
    private static final FileSystem JIMFS = Jimfs.newFileSystem(Configuration.unix());

    private record Case(String name, boolean jimfs, Differential.Scenario scenario) {}

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    /**
     * Default vs uring only. Used where jimfs legitimately deviates from the default provider (it is
     * not a Unix file system): no posix view, other messages for two-path errors ("h" instead of
     * "h -> f"), other option messages, isSameFile false instead of NoSuchFileException, and no
     * check of COPY_ATTRIBUTES as a move option.
     */
    private static void both(String name, Differential.Scenario s) {
        CASES.put(name, new Case(name, false, s));
    }

    /** Default vs uring vs jimfs. */
    private static void all(String name, Differential.Scenario s) {
        CASES.put(name, new Case(name, true, s));
    }

    private static Path dir(Path p) throws IOException {
        return Files.createDirectory(p);
    }

    static {
        // ---- createDirectory ----
        all("createDirectory", r -> { Files.createDirectory(r.resolve("d")); return Files.isDirectory(r.resolve("d")); });
        all("createDirectory existing", r -> Files.createDirectory(dir(r.resolve("d"))));
        all("createDirectory existing file", r -> Files.createDirectory(write(r.resolve("f"), "x")));
        all("createDirectory missing parent", r -> Files.createDirectory(r.resolve("no/d")));
        both("createDirectory below a file", r -> Files.createDirectory(write(r.resolve("f"), "x").resolve("d")));
        both("createDirectory with permissions", r -> Files.readAttributes(Files.createDirectory(r.resolve("d"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x---"))),
                PosixFileAttributes.class).permissions());
        both("createDirectory with an unsupported attribute", r -> Files.createDirectory(r.resolve("d"),
                new java.nio.file.attribute.FileAttribute<Object>() {
                    public String name() { return "basic:lastModifiedTime"; }
                    public Object value() { return FileTime.fromMillis(0); }
                }));
        both("createDirectories", r -> Files.createDirectories(r.resolve("a/b/c")));
        both("createDirectories through a file", r -> Files.createDirectories(write(r.resolve("f"), "x").resolve("b/c")));
        both("createTempDirectory with permissions", r -> Files.readAttributes(Files.createTempDirectory(r, "t",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx-w----"))),
                PosixFileAttributes.class).permissions());
        both("createTempDirectory without attributes", r -> Files.getPosixFilePermissions(Files.createTempDirectory(r, "t")));

        // ---- delete ----
        all("delete file", r -> { Files.delete(write(r.resolve("f"), "x")); return Files.exists(r.resolve("f")); });
        all("delete missing", r -> { Files.delete(r.resolve("f")); return null; });
        all("deleteIfExists missing", r -> Files.deleteIfExists(r.resolve("f")));
        all("deleteIfExists present", r -> Files.deleteIfExists(write(r.resolve("f"), "x")));
        all("delete empty directory", r -> { Files.delete(dir(r.resolve("d"))); return Files.exists(r.resolve("d")); });
        all("delete non-empty directory", r -> { write(dir(r.resolve("d")).resolve("f"), "x"); Files.delete(r.resolve("d")); return null; });
        both("deleteIfExists non-empty directory", r -> { write(dir(r.resolve("d")).resolve("f"), "x"); return Files.deleteIfExists(r.resolve("d")); });
        both("delete below a file", r -> { Files.delete(write(r.resolve("f"), "x").resolve("g")); return null; });
        both("deleteIfExists below a file", r -> Files.deleteIfExists(write(r.resolve("f"), "x").resolve("g")));
        all("delete symlink keeps target", r -> {
            Files.createSymbolicLink(r.resolve("l"), write(r.resolve("f"), "x"));
            Files.delete(r.resolve("l"));
            return List.of(Files.exists(r.resolve("l"), NOFOLLOW_LINKS), Files.exists(r.resolve("f")));
        });

        // ---- links ----
        all("symlink and readSymbolicLink", r -> Files.readSymbolicLink(Files.createSymbolicLink(r.resolve("l"), r.getFileSystem().getPath("rel/../x"))));
        all("symlink absolute target", r -> Files.readSymbolicLink(Files.createSymbolicLink(r.resolve("l"), r.resolve("t"))));
        all("symlink existing", r -> Files.createSymbolicLink(write(r.resolve("l"), "x"), r.resolve("t")));
        both("symlink missing parent", r -> Files.createSymbolicLink(r.resolve("no/l"), r.resolve("t")));
        both("symlink with attributes", r -> Files.createSymbolicLink(r.resolve("l"), r.resolve("t"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        all("readSymbolicLink of a file", r -> Files.readSymbolicLink(write(r.resolve("f"), "x")));
        all("readSymbolicLink missing", r -> Files.readSymbolicLink(r.resolve("f")));
        all("hard link", r -> { Files.createLink(r.resolve("h"), write(r.resolve("f"), "x")); return List.of(Files.isSameFile(r.resolve("h"), r.resolve("f")), read(r.resolve("h"))); });
        both("hard link existing", r -> Files.createLink(write(r.resolve("h"), "y"), write(r.resolve("f"), "x")));
        both("hard link missing source", r -> Files.createLink(r.resolve("h"), r.resolve("f")));
        both("hard link to directory", r -> Files.createLink(r.resolve("h"), dir(r.resolve("d"))));

        // ---- isSameFile, isHidden ----
        all("isSameFile equal missing paths", r -> Files.isSameFile(r.resolve("x"), r.resolve("x")));
        both("isSameFile missing", r -> Files.isSameFile(r.resolve("x"), r.resolve("y")));
        all("isSameFile through a link", r -> Files.isSameFile(Files.createSymbolicLink(r.resolve("l"), write(r.resolve("f"), "x")), r.resolve("f")));
        all("isSameFile different", r -> Files.isSameFile(write(r.resolve("a"), "x"), write(r.resolve("b"), "x")));
        both("isSameFile other provider", r -> Files.isSameFile(r, Path.of("/")));
        all("isHidden", r -> List.of(Files.isHidden(r.resolve(".x")), Files.isHidden(r.resolve("x")),
                Files.isHidden(r.getRoot()), Files.isHidden(r.getFileSystem().getPath("")), Files.isHidden(r.resolve("a/.b/c"))));

        // ---- checkAccess and existence ----
        both("checkAccess", r -> {
            Path f = write(r.resolve("f"), "x");
            r.getFileSystem().provider().checkAccess(f);
            r.getFileSystem().provider().checkAccess(f, AccessMode.READ, AccessMode.WRITE);
            return List.of(Files.isReadable(f), Files.isWritable(f), Files.isExecutable(f));
        });
        both("checkAccess EXECUTE without x bits", r -> { r.getFileSystem().provider().checkAccess(write(r.resolve("f"), "x"), AccessMode.EXECUTE); return null; });
        all("checkAccess missing", r -> { r.getFileSystem().provider().checkAccess(r.resolve("f")); return null; });
        both("checkAccess below a file", r -> { r.getFileSystem().provider().checkAccess(write(r.resolve("f"), "x").resolve("g")); return null; });
        all("exists dangling link", r -> { Files.createSymbolicLink(r.resolve("l"), r.resolve("none"));
            return List.of(Files.exists(r.resolve("l")), Files.exists(r.resolve("l"), NOFOLLOW_LINKS), Files.notExists(r.resolve("l"))); });

        // ---- symbolic link loops ----
        both("loop: readAttributes", r -> { loop(r); return Files.readAttributes(r.resolve("a"), "size"); });
        all("loop: readAttributes NOFOLLOW_LINKS", r -> { loop(r); return Files.readAttributes(r.resolve("a"), "isSymbolicLink", NOFOLLOW_LINKS); });
        both("loop: checkAccess", r -> { loop(r); r.getFileSystem().provider().checkAccess(r.resolve("a")); return null; });
        all("loop: delete", r -> { loop(r); Files.delete(r.resolve("a")); return Files.exists(r.resolve("a"), NOFOLLOW_LINKS); });
        both("loop: copy", r -> { loop(r); return Files.copy(r.resolve("a"), r.resolve("c")); });
        all("loop: copy NOFOLLOW_LINKS", r -> { loop(r); Files.copy(r.resolve("a"), r.resolve("c"), NOFOLLOW_LINKS); return Files.readSymbolicLink(r.resolve("c")); });
        both("loop: isSameFile", r -> { loop(r); return Files.isSameFile(r.resolve("a"), r.resolve("b")); });
        all("loop: move", r -> { loop(r); Files.move(r.resolve("a"), r.resolve("c")); return Files.readSymbolicLink(r.resolve("c")); });

        // ---- copy ----
        all("copy file", r -> { Files.copy(write(r.resolve("f"), "hello"), r.resolve("g")); return read(r.resolve("g")); });
        all("copy empty file", r -> { Files.copy(write(r.resolve("f"), ""), r.resolve("g")); return read(r.resolve("g")); });
        all("copy large file", r -> { Files.copy(write(r.resolve("f"), "0123456789".repeat(100_000)), r.resolve("g")); return read(r.resolve("g")).equals(read(r.resolve("f"))); });
        all("copy to existing", r -> Files.copy(write(r.resolve("f"), "a"), write(r.resolve("g"), "b")));
        all("copy REPLACE_EXISTING", r -> { Files.copy(write(r.resolve("f"), "a"), write(r.resolve("g"), "b"), REPLACE_EXISTING); return read(r.resolve("g")); });
        all("copy REPLACE_EXISTING empty directory", r -> { Files.copy(write(r.resolve("f"), "a"), dir(r.resolve("d")), REPLACE_EXISTING); return read(r.resolve("d")); });
        all("copy REPLACE_EXISTING non-empty directory", r -> { write(dir(r.resolve("d")).resolve("x"), "x"); return Files.copy(write(r.resolve("f"), "a"), r.resolve("d"), REPLACE_EXISTING); });
        all("copy directory (entries are not copied)", r -> { write(dir(r.resolve("d")).resolve("x"), "x"); Files.copy(r.resolve("d"), r.resolve("e")); return List.of(Files.isDirectory(r.resolve("e")), Files.exists(r.resolve("e/x"))); });
        all("copy missing source", r -> Files.copy(r.resolve("f"), r.resolve("g")));
        both("copy source below a file", r -> Files.copy(write(r.resolve("f"), "x").resolve("y"), r.resolve("g")));
        all("copy missing target parent", r -> Files.copy(write(r.resolve("f"), "x"), r.resolve("no/g")));
        all("copy onto itself", r -> Files.copy(write(r.resolve("f"), "x"), r.resolve("f")));
        all("copy onto a hard link of itself", r -> { Files.createLink(r.resolve("h"), write(r.resolve("f"), "x")); return Files.copy(r.resolve("f"), r.resolve("h")); });
        all("copy follows links", r -> { Files.createSymbolicLink(r.resolve("l"), write(r.resolve("f"), "x")); Files.copy(r.resolve("l"), r.resolve("g"));
            return List.of(Files.isSymbolicLink(r.resolve("g")), read(r.resolve("g"))); });
        all("copy link NOFOLLOW_LINKS", r -> { Files.createSymbolicLink(r.resolve("l"), r.getFileSystem().getPath("f")); Files.copy(r.resolve("l"), r.resolve("g"), NOFOLLOW_LINKS);
            return Files.readSymbolicLink(r.resolve("g")); });
        both("copy COPY_ATTRIBUTES", r -> {
            Path f = write(r.resolve("f"), "x");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
            Files.setLastModifiedTime(f, FileTime.from(java.time.Instant.parse("2001-02-03T04:05:06.123456789Z")));
            Files.copy(f, r.resolve("g"), COPY_ATTRIBUTES);
            PosixFileAttributes a = Files.readAttributes(r.resolve("g"), PosixFileAttributes.class);
            return List.of(a.permissions(), a.lastModifiedTime());
        });
        both("copy without COPY_ATTRIBUTES keeps the mode", r -> {
            Path f = write(r.resolve("f"), "x");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
            Files.copy(f, r.resolve("g"));
            return Files.getPosixFilePermissions(r.resolve("g"));
        });
        both("copy directory COPY_ATTRIBUTES", r -> {
            Path d = dir(r.resolve("d"));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setLastModifiedTime(d, FileTime.fromMillis(1_000_000_123L));
            Files.copy(d, r.resolve("e"), COPY_ATTRIBUTES);
            PosixFileAttributes a = Files.readAttributes(r.resolve("e"), PosixFileAttributes.class);
            return List.of(a.permissions(), a.lastModifiedTime());
        });
        both("copy ATOMIC_MOVE option", r -> Files.copy(write(r.resolve("f"), "x"), r.resolve("g"), ATOMIC_MOVE));
        all("copy null option", r -> Files.copy(write(r.resolve("f"), "x"), r.resolve("g"), (java.nio.file.CopyOption) null));

        // ---- move ----
        all("move file", r -> { Files.move(write(r.resolve("f"), "x"), r.resolve("g")); return List.of(Files.exists(r.resolve("f")), read(r.resolve("g"))); });
        all("move to existing", r -> Files.move(write(r.resolve("f"), "a"), write(r.resolve("g"), "b")));
        all("move REPLACE_EXISTING", r -> { Files.move(write(r.resolve("f"), "a"), write(r.resolve("g"), "b"), REPLACE_EXISTING); return read(r.resolve("g")); });
        all("move REPLACE_EXISTING non-empty directory", r -> { write(dir(r.resolve("d")).resolve("x"), "x"); return Files.move(write(r.resolve("f"), "a"), r.resolve("d"), REPLACE_EXISTING); });
        all("move directory with content", r -> { write(dir(r.resolve("d")).resolve("x"), "x"); Files.move(r.resolve("d"), r.resolve("e")); return read(r.resolve("e/x")); });
        all("move ATOMIC_MOVE", r -> { Files.move(write(r.resolve("f"), "a"), r.resolve("g"), ATOMIC_MOVE); return read(r.resolve("g")); });
        both("move ATOMIC_MOVE onto existing", r -> { Files.move(write(r.resolve("f"), "a"), write(r.resolve("g"), "b"), ATOMIC_MOVE); return read(r.resolve("g")); });
        all("move missing", r -> Files.move(r.resolve("f"), r.resolve("g")));
        both("move ATOMIC_MOVE missing", r -> Files.move(r.resolve("f"), r.resolve("g"), ATOMIC_MOVE));
        all("move onto itself", r -> Files.move(write(r.resolve("f"), "x"), r.resolve("f")));
        both("move directory into itself", r -> Files.move(dir(r.resolve("d")), r.resolve("d/e")));
        both("move COPY_ATTRIBUTES option", r -> Files.move(write(r.resolve("f"), "x"), r.resolve("g"), COPY_ATTRIBUTES));
        both("move link moves the link", r -> { Files.createSymbolicLink(r.resolve("l"), r.getFileSystem().getPath("f")); Files.move(r.resolve("l"), r.resolve("m")); return Files.readSymbolicLink(r.resolve("m")); });
    }

    private static void loop(Path r) throws IOException {
        Files.createSymbolicLink(r.resolve("a"), r.resolve("b"));
        Files.createSymbolicLink(r.resolve("b"), r.resolve("a"));
    }

    private static Path newRoot(String base, String tag) throws IOException {
        Path p = Files.createTempDirectory(Path.of(base), "fsops-" + tag);
        CLEANUP.add(p);
        return p;
    }

    @TestFactory
    Stream<DynamicTest> sameOutcomeAsDefaultProvider() {
        return CASES.values().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            String expected = Differential.outcome(newRoot("/tmp", "file"), c.scenario());
            String actual = Differential.outcome(Differential.uring(newRoot("/tmp", "uring")), c.scenario());
            assertEquals(expected, actual, "uring vs default: " + c.name());
            if (c.jimfs()) {
                Path root = Files.createDirectories(JIMFS.getPath("/work", "case" + CASES.size() + "-" + Math.abs(c.name().hashCode())));
                String jimfs = Differential.outcome(root, c.scenario());
                assertEquals(expected, jimfs, "jimfs vs default: " + c.name());
            }
        }));
    }

    /** Moves from /tmp (ext4) to /dev/shm (tmpfs): copy + delete, and ATOMIC_MOVE refused. */
    @TestFactory
    Stream<DynamicTest> moveAcrossFileSystems() {
        Map<String, Cross> cases = new LinkedHashMap<>();
        cases.put("file with attributes", (a, b) -> {
            Path f = write(a.resolve("f"), "content");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
            Files.setLastModifiedTime(f, FileTime.from(java.time.Instant.parse("2001-02-03T04:05:06.123456789Z")));
            Files.move(f, b.resolve("g"));
            PosixFileAttributes at = Files.readAttributes(b.resolve("g"), PosixFileAttributes.class);
            return List.of(Files.exists(f), read(b.resolve("g")), at.permissions(), at.lastModifiedTime());
        });
        cases.put("empty directory", (a, b) -> { Files.move(dir(a.resolve("d")), b.resolve("e")); return List.of(Files.exists(a.resolve("d")), Files.isDirectory(b.resolve("e"))); });
        cases.put("non-empty directory", (a, b) -> { write(dir(a.resolve("d")).resolve("x"), "x"); return Files.move(a.resolve("d"), b.resolve("e")); });
        cases.put("symbolic link", (a, b) -> { Files.createSymbolicLink(a.resolve("l"), a.getFileSystem().getPath("target")); Files.move(a.resolve("l"), b.resolve("m")); return Files.readSymbolicLink(b.resolve("m")); });
        cases.put("ATOMIC_MOVE", (a, b) -> Files.move(write(a.resolve("f"), "x"), b.resolve("g"), ATOMIC_MOVE));
        cases.put("REPLACE_EXISTING", (a, b) -> { Files.move(write(a.resolve("f"), "x"), write(b.resolve("g"), "old"), REPLACE_EXISTING); return read(b.resolve("g")); });
        return cases.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String expected = crossOutcome(newRoot("/tmp", "xa"), newRoot("/dev/shm", "xb"), e.getValue(), false);
            String actual = crossOutcome(newRoot("/tmp", "xa"), newRoot("/dev/shm", "xb"), e.getValue(), true);
            assertEquals(expected, actual, e.getKey());
        }));
    }

    private interface Cross {
        Object run(Path a, Path b) throws Exception;
    }

    private static String crossOutcome(Path a, Path b, Cross c, boolean uring) {
        Path ua = uring ? Differential.uring(a) : a, ub = uring ? Differential.uring(b) : b;
        String s = Differential.outcome(ua, root -> c.run(ua, ub));
        return s.replace(b.toString(), "ROOT2");
    }

    @AfterAll
    static void cleanup() throws IOException {
        for (Path root : CLEANUP) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
