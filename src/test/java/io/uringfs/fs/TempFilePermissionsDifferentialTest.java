package io.uringfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code Files.createTempFile} / {@code createTempDirectory} in a {@code uring:} directory give the
 * permissions they give in a default-provider directory (owner-only unless the caller passes
 * {@code posix:permissions}; a caller's {@code unix:permissions} is overridden, since the JDK
 * appends its owner-only attribute after it), while every other creation keeps the umask's
 * permissions. Each scenario runs in a fresh directory of each provider; the outcomes (permissions,
 * or exception class and message) must be equal.
 *
 * <p>jimfs is not compared: the JDK adds owner-only permissions only on the default file system,
 * which jimfs never is, so jimfs shows what every non-default file system without this provider's
 * special case shows (its own default permissions; it has no umask).
 */
class TempFilePermissionsDifferentialTest {
    private static Path base;

    @BeforeAll
    static void setUp() throws IOException {
        base = Files.createTempDirectory("uringfs-temp-perms");
    }

    @AfterAll
    static void tearDown() throws IOException {
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static FileAttribute<?> perms(String name, String perms) {
        return new FileAttribute<>() {
            public String name() { return name; }
            public Object value() { return PosixFilePermissions.fromString(perms); }
        };
    }

    private static final FileAttribute<?> LAST_MODIFIED = new FileAttribute<FileTime>() {
        public String name() { return "basic:lastModifiedTime"; }
        public FileTime value() { return FileTime.fromMillis(0); }
    };

    private static String permissionsOf(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static final Map<String, Differential.Scenario> CASES = new LinkedHashMap<>();

    static {
        CASES.put("createTempFile", r -> permissionsOf(Files.createTempFile(r, "p", ".s")));
        CASES.put("createTempFile null prefix and suffix", r -> {
            Path f = Files.createTempFile(r, null, null);
            return List.of(f.getFileName().toString().matches("\\d+\\.tmp"), permissionsOf(f));
        });
        CASES.put("createTempFile posix:permissions", r -> permissionsOf(
                Files.createTempFile(r, "p", ".s", perms("posix:permissions", "rwxrwxrwx"))));
        CASES.put("createTempFile posix:permissions rw-r-----", r -> permissionsOf(
                Files.createTempFile(r, "p", ".s", perms("posix:permissions", "rw-r-----"))));
        CASES.put("createTempFile unix:permissions (owner-only appended after it)", r -> permissionsOf(
                Files.createTempFile(r, "p", ".s", perms("unix:permissions", "rwxrwxrwx"))));
        CASES.put("createTempFile unix: then posix:permissions", r -> permissionsOf(Files.createTempFile(r, "p", ".s",
                perms("unix:permissions", "rwx------"), perms("posix:permissions", "rw-rw-rw-"))));
        CASES.put("createTempFile unsupported attribute", r -> Files.createTempFile(r, "p", ".s", LAST_MODIFIED));
        CASES.put("createTempFile missing directory", r -> {
            try {
                return Files.createTempFile(r.resolve("m"), "p", ".s");
            } catch (IOException e) {   // the message names the random file name
                return e.getClass().getName() + ": " + e.getMessage().replaceAll("p\\d+\\.s", "pN.s");
            }
        });
        CASES.put("createTempDirectory", r -> permissionsOf(Files.createTempDirectory(r, "d")));
        CASES.put("createTempDirectory null prefix", r -> permissionsOf(Files.createTempDirectory(r, null)));
        CASES.put("createTempDirectory posix:permissions", r -> permissionsOf(
                Files.createTempDirectory(r, "d", perms("posix:permissions", "rwxrwxrwx"))));
        CASES.put("createTempDirectory posix:permissions rwx-w----", r -> permissionsOf(
                Files.createTempDirectory(r, "d", perms("posix:permissions", "rwx-w----"))));
        CASES.put("createTempDirectory unix:permissions (owner-only appended after it)", r -> permissionsOf(
                Files.createTempDirectory(r, "d", perms("unix:permissions", "rwxrwxrwx"))));
        CASES.put("createTempDirectory unsupported attribute", r -> Files.createTempDirectory(r, "d", LAST_MODIFIED));
        // the same call shapes from anything but TempFileHelper keep the umask's permissions
        CASES.put("createFile", r -> permissionsOf(Files.createFile(r.resolve("f"))));
        CASES.put("createFile unix:permissions", r -> permissionsOf(
                Files.createFile(r.resolve("f"), perms("unix:permissions", "rwxrwxrwx"))));
        CASES.put("newByteChannel CREATE_NEW WRITE", r -> {
            Files.newByteChannel(r.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            return permissionsOf(r.resolve("f"));
        });
        CASES.put("FileChannel.open CREATE_NEW WRITE", r -> {
            FileChannel.open(r.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            return permissionsOf(r.resolve("f"));
        });
        CASES.put("createDirectory", r -> permissionsOf(Files.createDirectory(r.resolve("d"))));
        CASES.put("createDirectories", r -> permissionsOf(Files.createDirectories(r.resolve("a/b"))));
        CASES.put("createTempFile on a virtual thread", r -> {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    result.set(permissionsOf(Files.createTempFile(r, "v", null)));
                } catch (IOException e) {
                    result.set(e);
                }
            }).join();
            return result.get();
        });
    }

    private static int run;

    private static String outcome(FileSystem fs, Differential.Scenario s) throws IOException {
        Path dir = Files.createDirectory(base.resolve("r" + run++));
        return Differential.outcome(fs.getPath(dir.toString()), s);
    }

    @TestFactory
    Stream<DynamicTest> sameAsDefaultProvider() {
        return CASES.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String expected = outcome(base.getFileSystem(), e.getValue());
            String actual = outcome(Differential.uringFs(), e.getValue());
            assertEquals(expected, actual, e.getKey());
        }));
    }

    /** The scenarios above could not tell owner-only from the umask's permissions under umask 077. */
    @Test
    void umaskLeavesTempPermissionsDistinguishable() throws IOException {
        String plainFile = outcome(base.getFileSystem(), CASES.get("createFile"));
        String plainDir = outcome(base.getFileSystem(), CASES.get("createDirectory"));
        assumeTrue(!plainFile.equals("OK String:rw-------") && !plainDir.equals("OK String:rwx------"),
                "umask 077: temp and plain permissions coincide");
        assertEquals("OK String:rw-------", outcome(Differential.uringFs(), CASES.get("createTempFile")));
        assertEquals("OK String:rwx------", outcome(Differential.uringFs(), CASES.get("createTempDirectory")));
        assertNotEquals(plainFile, outcome(Differential.uringFs(), CASES.get("createTempFile")));
    }
}
