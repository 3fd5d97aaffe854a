package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.io.File;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code file:} front end: installed as the JVM's default provider in a forked JVM, and its
 * URI rules checked in this one.
 */
class UringDefaultFileSystemProviderTest {

    /** Runs in the forked JVM: unmodified NIO code on relative paths. */
    public static final class App {
        public static void main(String[] args) throws IOException {
            Path x = Path.of("x");
            System.out.println("provider " + x.getFileSystem().provider().getClass().getName());
            System.out.println("default " + FileSystems.getDefault().provider().getClass().getName());
            Path dir = Files.createTempDirectory(Path.of(""), "app");   // relative, in the working directory
            Path file = dir.resolve("hello.txt");
            Files.writeString(file, "hello, uring");
            System.out.println("read " + Files.readString(file));
            try (Stream<Path> s = Files.list(dir)) {
                System.out.println("list " + s.map(Path::toString).toList());
            }
            File asFile = file.toFile();
            System.out.println("toFile " + asFile.getPath() + " " + asFile.exists() + " " + asFile.length());
            System.out.println("toPath " + (asFile.toPath().getFileSystem() == x.getFileSystem()));
            System.out.println("uri " + file.toAbsolutePath().toUri().getScheme() + " " + Path.of(file.toUri()).equals(file.toAbsolutePath()));
            Files.delete(file);
            Files.delete(dir);
            System.out.println("exists " + Files.exists(file) + " " + Files.exists(dir));
        }
    }

    @Test
    void installedAsTheDefaultProviderInAForkedJvm() throws Exception {
        Path work = Files.createTempDirectory("default-provider");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                    "-Djava.nio.file.spi.DefaultFileSystemProvider=" + UringDefaultFileSystemProvider.class.getName(),
                    "-cp", System.getProperty("java.class.path"), App.class.getName())
                    .directory(work.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING")).toList();
            String dir = lines.stream().filter(l -> l.startsWith("list ")).findFirst().orElseThrow()
                    .replaceAll("^list \\[(app[0-9]+)/hello.txt\\]$", "$1");
            assertTrue(dir.matches("app[0-9]+"), out);
            assertEquals(List.of(
                    "provider " + UringDefaultFileSystemProvider.class.getName(),
                    "default " + UringDefaultFileSystemProvider.class.getName(),
                    "read hello, uring",
                    "list [" + dir + "/hello.txt]",
                    "toFile " + dir + "/hello.txt true 12",
                    "toPath true",
                    "uri file true",
                    "exists false false"), lines);
            try (Stream<Path> s = Files.list(work)) {
                assertEquals(List.of(), s.toList(), "the app cleaned up after itself");
            }
        } finally {
            Files.delete(work);
        }
    }

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
