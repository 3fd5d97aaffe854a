package io.uringfs.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code file:} front end ({@link UringDefaultFileSystemProvider}) and {@code uring:} are two
 * providers over the same classes: their paths must not mix silently. Whatever the JDK's provider
 * does with a path of another provider (here: a {@code uring:} path), each of the two does with the
 * other's path: {@link ProviderMismatchException} from path algebra and path operations, false from
 * {@code startsWith}/{@code endsWith}/{@code equals}/{@code isSameFile}, {@link ClassCastException}
 * from {@code compareTo}, and {@code Files.copy}/{@code move} copy as between any two providers.
 * The front end is not installed as the default provider here (that needs a JVM of its own, see
 * {@link UringDefaultFileSystemProviderTest}); it is the same object either way.
 */
class ProviderMismatchTest {
    /** The front end, with its one file system ({@code file:///}, an engine of its own). */
    private static final FileSystem FRONT = new UringDefaultFileSystemProvider(FileSystems.getDefault().provider())
            .getFileSystem(URI.create("file:///"));
    private static final FileSystem URING = FileSystems.getFileSystem(URI.create("uring:///"));

    @TempDir
    Path tmp;

    /** Each of the three providers paired with each other one: pairs whose outcomes must agree. */
    private static List<Path[]> pairs(String a, String b) {
        Path jdkA = Path.of(a), jdkB = Path.of(b);
        return List.of(
                new Path[] {jdkA, URING.getPath(b)},       // the reference: the JDK's provider with a foreign path
                new Path[] {FRONT.getPath(a), URING.getPath(b)},
                new Path[] {URING.getPath(a), FRONT.getPath(b)},
                new Path[] {FRONT.getPath(a), jdkB},
                new Path[] {URING.getPath(a), jdkB});
    }

    private interface Op {
        Object apply(Path p, Path q) throws Exception;
    }

    private static String outcome(Op op, Path p, Path q) {
        try {
            return "= " + op.apply(p, q);
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }

    @Test
    void pathAlgebraWithTheOtherProvidersPathAsWithTheJdks() {
        Map<String, Op> ops = new java.util.LinkedHashMap<>();
        ops.put("resolve", Path::resolve);
        ops.put("resolveSibling", Path::resolveSibling);
        ops.put("relativize", Path::relativize);
        ops.put("startsWith", Path::startsWith);
        ops.put("endsWith", Path::endsWith);
        ops.put("equals", Path::equals);
        ops.put("compareTo", Path::compareTo);
        for (String[] args : new String[][] {{"/tmp/a", "/tmp/a"}, {"/tmp/a", "a"}, {"/tmp", "/tmp/a/b"}, {"a/b", "b"}}) {
            for (var op : ops.entrySet()) {
                List<String> outcomes = new ArrayList<>();
                for (Path[] pq : pairs(args[0], args[1])) outcomes.add(outcome(op.getValue(), pq[0], pq[1]));
                String reference = outcomes.getFirst();
                for (String o : outcomes) assertEquals(reference, o, op.getKey() + " " + List.of(args) + ": " + outcomes);
            }
        }
        // the reference outcomes themselves, so that the comparison above cannot pass vacuously
        Path f = FRONT.getPath("/tmp/a"), u = URING.getPath("/tmp/a");
        assertThrows(ProviderMismatchException.class, () -> f.resolve(u));
        assertThrows(ProviderMismatchException.class, () -> u.relativize(f));
        assertFalse(f.startsWith(u));
        assertFalse(u.endsWith(f));
        assertThrows(ClassCastException.class, () -> f.compareTo(u));
    }

    /**
     * Two {@code uring:} file systems are one provider: their paths mix in path algebra (as the
     * JDK's zip provider lets two zip file systems' paths mix), with results in the first path's
     * file system, but {@code startsWith} and {@code endsWith} answer as {@code equals} does, false
     * for another file system's path.
     */
    @Test
    void twoFileSystemsOfOneProvider() throws IOException {
        try (FileSystem named = FileSystems.newFileSystem(URI.create("uring://mismatch/"), Map.of())) {
            Path p = URING.getPath("/tmp/a"), q = named.getPath("/tmp/a");
            assertFalse(p.equals(q));
            assertFalse(p.startsWith(q));
            assertFalse(p.endsWith(q));
            assertFalse(p.startsWith(named.getPath("/tmp")));
            assertFalse(p.endsWith(named.getPath("a")));
            assertTrue(p.startsWith(URING.getPath("/tmp")));
            assertTrue(p.endsWith(URING.getPath("a")));
            // the results are paths of p's file system
            assertEquals(URING.getPath("/tmp/a/b"), p.resolve(named.getPath("b")));
            assertEquals(URING.getPath("/b"), p.resolve(named.getPath("/b")));
            assertEquals(URING.getPath("b"), p.relativize(named.getPath("/tmp/a/b")));
            assertEquals(URING.getPath(""), p.relativize(q));
            assertEquals(0, p.compareTo(q));
        }
    }

    @Test
    void twoPathOperationsRefuseTheOtherProvidersPath() throws Exception {
        Path real = Files.writeString(tmp.resolve("f"), "x");
        Path f = FRONT.getPath(real.toString()), u = URING.getPath(real.toString());
        for (Path[] pq : new Path[][] {{f, u}, {u, f}}) {
            Path mine = pq[0], theirs = pq[1];
            Path link = mine.resolveSibling("link");
            assertThrows(ProviderMismatchException.class, () -> Files.createLink(link, theirs));
            assertThrows(ProviderMismatchException.class, () -> Files.createSymbolicLink(link, theirs));
            assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.isSameFile(mine, theirs), "as the JDK's isSameFile with another provider's path");
            FileSystemProvider provider = mine.getFileSystem().provider();
            assertThrows(ProviderMismatchException.class, () -> provider.delete(theirs));
            assertThrows(ProviderMismatchException.class, () -> provider.checkAccess(theirs));
            assertThrows(ProviderMismatchException.class, () -> provider.readAttributes(theirs, BasicFileAttributes.class));
            assertThrows(ProviderMismatchException.class, () -> provider.newByteChannel(theirs, Set.of()));
            assertThrows(ProviderMismatchException.class, () -> provider.getFileAttributeView(theirs, java.nio.file.attribute.BasicFileAttributeView.class));
            assertThrows(ProviderMismatchException.class, () -> provider.createLink(link, theirs));
            assertTrue(Files.exists(real), "nothing was deleted");
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(mine.getParent());
                 DirectoryStream<Path> other = Files.newDirectoryStream(theirs.getParent())) {
                SecureDirectoryStream<Path> sds = (SecureDirectoryStream<Path>) ds;
                assertThrows(ProviderMismatchException.class, () -> sds.deleteFile(theirs));
                assertThrows(ProviderMismatchException.class, () -> sds.newByteChannel(theirs, Set.of()));
                assertThrows(ProviderMismatchException.class,
                        () -> sds.move(mine.getFileName(), (SecureDirectoryStream<Path>) other, mine.resolveSibling("g").getFileName()));
            }
            try (WatchService ws = theirs.getFileSystem().newWatchService()) {
                assertThrows(ProviderMismatchException.class, () -> mine.getParent().register(ws, StandardWatchEventKinds.ENTRY_CREATE));
            }
            assertTrue(Files.exists(real));
        }
    }

    /** Files.copy and move between the two: the JDK's copy between providers, as for any other pair. */
    @Test
    void copyAndMoveBetweenTheTwoProviders() throws Exception {
        Path real = Files.writeString(tmp.resolve("f"), "content");
        Path f = FRONT.getPath(real.toString()), u = URING.getPath(tmp.toString());
        assertNotSame(f.getFileSystem().provider(), u.getFileSystem().provider());
        Files.copy(f, u.resolve("copied"));
        assertEquals("content", Files.readString(tmp.resolve("copied")));
        assertThrows(java.nio.file.AtomicMoveNotSupportedException.class,
                () -> Files.move(u.resolve("copied"), f.resolveSibling("moved"), StandardCopyOption.ATOMIC_MOVE));
        Files.move(u.resolve("copied"), f.resolveSibling("moved"));
        assertEquals("content", Files.readString(tmp.resolve("moved")));
        assertFalse(Files.exists(tmp.resolve("copied")));
        // the provider's own copy with the other's target: copied as between two providers too
        f.getFileSystem().provider().copy(f, u.resolve("direct"));
        assertEquals("content", Files.readString(tmp.resolve("direct")));
    }
}
