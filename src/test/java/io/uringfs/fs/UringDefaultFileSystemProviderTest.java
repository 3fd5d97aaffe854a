package io.uringfs.fs;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    /**
     * Runs in the forked JVM: unmodified NIO code on relative paths, first on the main thread (plain
     * system calls for data, opens and stats, as a platform thread makes them), then the same on a
     * virtual thread, whose ring ops a JFR recording of {@code io.uringfs.Operation} shows. Both
     * map a file in both forms ({@code MappedByteBuffer} and {@code MemorySegment}).
     */
    public static final class App {
        /** Ring ops the virtual thread's work must submit (see {@link #work}). */
        static final Set<String> VT_RING_OPS = Set.of("OPENAT", "CLOSE", "STATX", "MKDIRAT", "UNLINKAT", "FSYNC");

        public static void main(String[] args) throws Exception {
            Path x = Path.of("x");
            System.out.println("provider " + x.getFileSystem().provider().getClass().getName());
            System.out.println("default " + FileSystems.getDefault().provider().getClass().getName());
            UringFileSystem fs = (UringFileSystem) FileSystems.getDefault();
            System.out.println("ring " + fs.usesRing() + (fs.usesRing() ? "" : ": " + fs.fallbackReason()));
            work("main");
            try (Recording rec = new Recording()) {
                rec.enable("io.uringfs.Operation").withoutThreshold().withoutStackTrace();
                rec.start();
                Exception[] failed = new Exception[1];
                Thread vt = Thread.ofVirtual().start(() -> {
                    try {
                        work("vt");
                    } catch (Exception e) {
                        failed[0] = e;
                    }
                });
                vt.join();
                if (failed[0] != null) throw failed[0];
                rec.stop();
                Path dump = Path.of("ops.jfr");
                rec.dump(dump);
                Set<String> ops = new TreeSet<>();
                for (RecordedEvent e : RecordingFile.readAllEvents(dump)) {
                    if (e.getThread() != null && e.getThread().getJavaThreadId() == vt.threadId()) ops.add(e.getString("opcode"));
                }
                Files.delete(dump);
                Set<String> missing = new TreeSet<>(VT_RING_OPS);
                missing.removeAll(ops);
                System.out.println("vt ring ops missing " + missing);
                System.err.println("vt ring ops " + ops + ", engine " + fs.engine().stats());
            }
        }

        /**
         * Lines prefixed by {@code who}. Besides what a plain application does, it stats a name
         * nobody looked up yet (the dentry cache cannot answer, so a virtual thread's stat goes to
         * the ring) and forces a file (a virtual thread's fsync is a ring op).
         */
        static void work(String who) throws IOException {
            Path dir = Files.createTempDirectory(Path.of(""), "app");   // relative, in the working directory
            Path file = dir.resolve("hello.txt");
            Files.writeString(file, "hello, uring");
            System.out.println(who + " read " + Files.readString(file));
            try (Stream<Path> s = Files.list(dir)) {
                System.out.println(who + " list " + s.map(Path::toString).toList());
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.readAttributes(dir.resolve("never-looked-up"), BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                System.out.println(who + " missing " + e.getMessage().equals(dir.resolve("never-looked-up").toString()));
            }
            File asFile = file.toFile();
            System.out.println(who + " toFile " + asFile.getPath() + " " + asFile.exists() + " " + asFile.length());
            System.out.println(who + " toPath " + (asFile.toPath().getFileSystem() == FileSystems.getDefault()));
            System.out.println(who + " uri " + file.toAbsolutePath().toUri().getScheme() + " "
                    + Path.of(file.toUri()).equals(file.toAbsolutePath()));
            // map lets a JDK channel create the mapping: it must be the built-in provider's, not
            // the default's (uringfs here), whose map would come back for ever
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                System.out.println(who + " channel " + ch.getClass().getName());
                MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_WRITE, 0, 5);
                mb.put(0, (byte) 'H');
                byte[] head = new byte[5];
                mb.get(0, head);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 7, 5, arena);
                    System.out.println(who + " map " + new String(head) + " " + new String(seg.toArray(ValueLayout.JAVA_BYTE)));
                }
            }
            System.out.println(who + " after map " + Files.readString(file));
            Files.delete(file);
            Files.delete(dir);
            System.out.println(who + " exists " + Files.exists(file) + " " + Files.exists(dir));
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
                    .directory(work.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            List<String> lines = out.lines().toList();
            List<String> expected = new ArrayList<>(List.of(
                    "provider " + UringDefaultFileSystemProvider.class.getName(),
                    "default " + UringDefaultFileSystemProvider.class.getName(),
                    "ring true"));
            for (String who : List.of("main", "vt")) {
                String dir = lines.stream().filter(l -> l.startsWith(who + " list ")).findFirst().orElseThrow()
                        .replaceAll("^" + who + " list \\[(app[0-9]+)/hello.txt\\]$", "$1");
                assertTrue(dir.matches("app[0-9]+"), out);
                expected.addAll(List.of(
                        who + " read hello, uring",
                        who + " list [" + dir + "/hello.txt]",
                        who + " missing true",
                        who + " toFile " + dir + "/hello.txt true 12",
                        who + " toPath true",
                        who + " uri file true",
                        who + " channel io.uringfs.channel.UringFileChannel",
                        who + " map Hello uring",
                        who + " after map Hello, uring",
                        who + " exists false false"));
            }
            expected.add("vt ring ops missing []");
            assertEquals(expected, lines);
            try (Stream<Path> s = Files.list(work)) {
                assertEquals(List.of(), s.toList(), "the app cleaned up after itself");
            }
        } finally {
            // what a failed app left behind too, so that its failure is what the test reports
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
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
