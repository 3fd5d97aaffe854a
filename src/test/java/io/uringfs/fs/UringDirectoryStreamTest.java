package io.uringfs.fs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Directory streams: uring: against the default provider and jimfs (unix). */
class UringDirectoryStreamTest {
    private ThreeProviders d;

    @BeforeEach
    void tree() throws IOException {
        d = ThreeProviders.create();
        d.populate(root -> {
            for (String f : new String[] {"a.txt", "b.txt", "c.log", ".hidden", "with space.txt", "\u00e9t\u00e9.txt"}) {
                Files.writeString(root.resolve(f), f);
            }
            Files.createDirectories(root.resolve("sub/deeper"));
            Files.writeString(root.resolve("sub/x.txt"), "x");
            Files.createDirectory(root.resolve("empty"));
            Files.createSymbolicLink(root.resolve("link"), root.resolve("sub"));
            Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nowhere"));
        });
    }

    /** A directory with enough entries to need several getdents64 buffers (32 KiB each). */
    private void many() throws IOException {
        d.populate(root -> {
            Files.createDirectory(root.resolve("many"));
            for (int i = 0; i < MANY; i++) Files.createFile(root.resolve("many/entry-with-a-longish-name-" + i));
        });
    }

    private static final int MANY = 1500;

    /** Existence checked with the default provider (uring: paths mapped back), independent of uring: attributes. */
    private static boolean exists(Path p) {
        return p.getFileSystem().provider().getScheme().equals("uring") ? Files.exists(Path.of(p.toString())) : Files.exists(p);
    }

    private static String read(Path p) throws IOException {
        return p.getFileSystem().provider().getScheme().equals("uring") ? Files.readString(Path.of(p.toString())) : Files.readString(p);
    }

    @AfterEach
    void cleanup() throws IOException {
        d.close();
    }

    private static String names(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, filter)) {
            for (Path p : ds) {
                assertEquals(dir, p.getParent(), "entries are resolved against the directory");
                names.add(p.getFileName().toString());
            }
        }
        return names.toString();
    }

    private static String glob(Path dir, String glob) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names.toString();
    }

    private void same(ThreeProviders.Scenario s) {
        String[] o = d.outcomes(s);
        assertEquals(o[0], o[2], "uring: differs from the default provider");
    }

    private void sameAsAll(ThreeProviders.Scenario s) {
        String[] o = d.outcomes(s);
        assertEquals(o[0], o[2], "uring: differs from the default provider");
        assertEquals(o[0], o[1], "jimfs differs from the default provider");
    }

    @Test
    void listingsHaveTheSameNames() throws IOException {
        many();
        sameAsAll(root -> names(root, p -> true));
        sameAsAll(root -> names(root.resolve("sub"), p -> true));
        sameAsAll(root -> names(root.resolve("empty"), p -> true));
        sameAsAll(root -> names(root.resolve("link"), p -> true));
        sameAsAll(root -> names(root.resolve("many"), p -> true));
        String[] o = d.outcomes(root -> names(root.resolve("many"), p -> true).split(",").length);
        assertEquals("= " + MANY, o[2]);
    }

    @Test
    void filtersAndGlobs() throws IOException {
        many();
        sameAsAll(root -> names(root, p -> p.getFileName().toString().endsWith(".txt")));
        for (String g : new String[] {"*", "*.txt", "{a,b}*", "?.log", ".*", "*[0-9]", "\u00e9*", "with space*"}) {
            sameAsAll(root -> glob(root, g));
        }
        sameAsAll(root -> glob(root.resolve("many"), "*-29??"));
        same(root -> glob(root, "[z-a]"));
    }

    @Test
    void filterExceptionsAreWrapped() {
        sameAsAll(root -> names(root, p -> { throw new IOException("filter failed: " + p.getFileName()); })
                .isEmpty());
        same(root -> names(root, null));
    }

    @Test
    void errorsMatch() {
        sameAsAll(root -> names(root.resolve("missing"), p -> true));
        sameAsAll(root -> names(root.resolve("a.txt"), p -> true));
        sameAsAll(root -> names(root.resolve("dangling"), p -> true));
        // jimfs reports NoSuchFileException for a path through a regular file
        same(root -> names(root.resolve("a.txt/x"), p -> true));
        same(root -> glob(root, "{a"));
    }

    @Test
    void relativeDirectoryGivesRelativeEntries() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path real = d.setup[2];
        Path rel = cwd.relativize(real);
        List<String> viaDefault = listStrings(rel);
        List<String> viaUring = listStrings(ThreeProviders.uring(rel));
        assertEquals(viaDefault, viaUring);
        assertFalse(viaUring.get(0).startsWith("/"), viaUring.get(0));
    }

    private static List<String> listStrings(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::toString).sorted().toList();
        }
    }

    @Test
    void iteratorContract() throws IOException {
        many();
        // jimfs words the second-iterator message differently, so only the default provider and uring:
        for (Path root : new Path[] {d.roots[0], d.roots[2]}) {
            String where = root.getFileSystem().provider().getScheme();
            DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("sub"));
            Iterator<Path> it = ds.iterator();
            IllegalStateException twice = assertThrows(IllegalStateException.class, ds::iterator, where);
            assertEquals("Iterator already obtained", twice.getMessage(), where);
            assertThrows(UnsupportedOperationException.class, it::remove, where);
            List<String> seen = new ArrayList<>();
            while (it.hasNext()) seen.add(it.next().getFileName().toString());
            assertEquals(List.of("deeper", "x.txt"), seen.stream().sorted().toList(), where);
            assertThrows(NoSuchElementException.class, it::next, where);
            ds.close();
            ds.close(); // idempotent

            DirectoryStream<Path> closed = Files.newDirectoryStream(root.resolve("many"));
            closed.close();
            IllegalStateException afterClose = assertThrows(IllegalStateException.class, closed::iterator, where);
            assertEquals("Directory stream is closed", afterClose.getMessage(), where);
        }
    }

    @Test
    void closingEndsIteration() throws IOException {
        many();
        // the JDK's iterator may still return entries it had read; ours stops at once: both end
        // without an exception, with fewer than all entries
        for (int i : new int[] {0, 2}) {
            DirectoryStream<Path> ds = Files.newDirectoryStream(d.roots[i].resolve("many"));
            Iterator<Path> it = ds.iterator();
            it.next();
            ds.close();
            int more = 0;
            while (it.hasNext()) {
                it.next();
                more++;
            }
            assertTrue(more < MANY - 1, "read " + more + " entries after close");
        }
    }

    @Test
    void filterIOExceptionIsWrappedInDirectoryIteratorException() throws IOException {
        IOException cause = new IOException("no");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.roots[2], p -> { throw cause; })) {
            DirectoryIteratorException e = assertThrows(DirectoryIteratorException.class, () -> ds.iterator().hasNext());
            assertEquals(cause, e.getCause());
        }
    }

    @Test
    void listWalkFind() {
        sameAsAll(root -> { try (Stream<Path> s = Files.list(root)) { return s.map(p -> root.relativize(p).toString()).sorted().toList(); } });
    }

    // ---- SecureDirectoryStream ----

    private static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
        return assertInstanceOf(SecureDirectoryStream.class, ds);
    }

    private void sameSecure(ThreeProviders.Scenario s) {
        // jimfs' SecureDirectoryStream differs in messages and in views of the directory itself:
        // secure-stream scenarios compare uring: with the default provider only
        String[] o = d.outcomes(s);
        assertEquals(o[0], o[2], "uring: differs from the default provider");
    }

    @Test
    void secureRelativeListing() {
        sameSecure(root -> {
            try (SecureDirectoryStream<Path> ds = secure(root);
                 SecureDirectoryStream<Path> sub = ds.newDirectoryStream(root.getFileSystem().getPath("sub"))) {
                TreeSet<String> names = new TreeSet<>();
                for (Path p : sub) names.add(root.relativize(p).toString());
                return names;
            }
        });
        sameSecure(root -> { try (var ds = secure(root)) { return ds.newDirectoryStream(root.getFileSystem().getPath("link")).iterator().next().getFileName(); } });
        sameSecure(root -> { try (var ds = secure(root)) { return ds.newDirectoryStream(root.getFileSystem().getPath("link"), LinkOption.NOFOLLOW_LINKS); } });
        sameSecure(root -> { try (var ds = secure(root)) { return ds.newDirectoryStream(root.getFileSystem().getPath("a.txt")); } });
        sameSecure(root -> { try (var ds = secure(root)) { return ds.newDirectoryStream(root.getFileSystem().getPath("a.txt"), LinkOption.NOFOLLOW_LINKS); } });
        sameSecure(root -> { try (var ds = secure(root)) { return ds.newDirectoryStream(root.getFileSystem().getPath("missing")); } });
        sameSecure(root -> { try (var ds = secure(root)) { return names(ds.newDirectoryStream(root.resolve("sub")), root); } });
    }

    private static String names(SecureDirectoryStream<Path> ds, Path root) throws IOException {
        try (ds) {
            TreeSet<String> names = new TreeSet<>();
            for (Path p : ds) names.add(root.relativize(p).toString());
            return names.toString();
        }
    }

    @Test
    void secureDeletes() {
        sameSecure(root -> {
            try (var ds = secure(root)) {
                var fs = root.getFileSystem();
                ds.deleteFile(fs.getPath("a.txt"));
                ds.deleteDirectory(fs.getPath("empty"));
                ds.deleteFile(fs.getPath("link")); // the link, not its target
                return exists(root.resolve("a.txt")) + " " + exists(root.resolve("empty"))
                        + " " + exists(root.resolve("sub/x.txt"));
            }
        });
        sameSecure(root -> { try (var ds = secure(root)) { ds.deleteFile(root.getFileSystem().getPath("sub")); return "deleted"; } });
        sameSecure(root -> { try (var ds = secure(root)) { ds.deleteDirectory(root.getFileSystem().getPath("sub")); return "deleted"; } });
        sameSecure(root -> { try (var ds = secure(root)) { ds.deleteDirectory(root.getFileSystem().getPath("b.txt")); return "deleted"; } });
        sameSecure(root -> { try (var ds = secure(root)) { ds.deleteFile(root.getFileSystem().getPath("missing")); return "deleted"; } });
        sameSecure(root -> { var ds = secure(root); ds.close(); ds.deleteFile(root.getFileSystem().getPath("b.txt")); return "deleted"; });
    }

    @Test
    void secureMove() {
        sameSecure(root -> {
            var fs = root.getFileSystem();
            try (var ds = secure(root); var sub = ds.newDirectoryStream(fs.getPath("sub"))) {
                ds.move(fs.getPath("b.txt"), sub, fs.getPath("moved.txt"));
                sub.move(fs.getPath("x.txt"), ds, fs.getPath("back.txt"));
                return read(root.resolve("sub/moved.txt")) + read(root.resolve("back.txt"))
                        + exists(root.resolve("b.txt"));
            }
        });
        sameSecure(root -> { var fs = root.getFileSystem(); try (var ds = secure(root)) { ds.move(fs.getPath("missing"), ds, fs.getPath("m")); return "moved"; } });
        sameSecure(root -> { var fs = root.getFileSystem(); try (var ds = secure(root)) { ds.move(fs.getPath("a.txt"), null, fs.getPath("m")); return "moved"; } });
        sameSecure(root -> { var fs = root.getFileSystem(); try (var ds = secure(root)) { ds.move(null, ds, fs.getPath("m")); return "moved"; } });
    }

    /**
     * A secure stream is bound to the directory it opened, not to its name: after the directory is
     * renamed and an impostor created at the old name, newByteChannel (read and create), deleteFile,
     * move, the attribute views of entries (read and set) and of the directory itself all act on
     * the original, now renamed, directory, as with the default provider's stream (fd-relative
     * calls). The impostor stays untouched.
     */
    @Test
    void secureStreamFollowsTheDirectoryNotItsName() throws IOException {
        d.populate(root -> {
            Files.createDirectory(root.resolve("victim"));
            for (String f : new String[] {"f", "gone", "mv"}) Files.writeString(root.resolve("victim").resolve(f), "original " + f);
        });
        ThreeProviders.Scenario swapped = root -> {
            var fs = root.getFileSystem();
            Path dir = root.resolve("victim"), renamed = root.resolve("renamed");
            List<String> out = new ArrayList<>();
            try (var ds = secure(dir)) {
                Files.move(dir, renamed);
                Files.createDirectory(dir);
                for (String f : new String[] {"f", "gone", "mv"}) Files.writeString(dir.resolve(f), "impostor " + f);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
                try (var ch = ds.newByteChannel(fs.getPath("f"), java.util.Set.of(java.nio.file.StandardOpenOption.READ))) {
                    ch.read(buf);
                }
                out.add("read " + new String(buf.array(), 0, buf.position()));
                try (var ch = ds.newByteChannel(fs.getPath("new"),
                        java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE))) {
                    ch.write(java.nio.ByteBuffer.wrap("created".getBytes()));
                }
                ds.deleteFile(fs.getPath("gone"));
                ds.move(fs.getPath("mv"), ds, fs.getPath("mv2"));
                var basic = ds.getFileAttributeView(fs.getPath("f"), java.nio.file.attribute.BasicFileAttributeView.class);
                out.add("size " + basic.readAttributes().size());
                var posix = ds.getFileAttributeView(fs.getPath("f"), java.nio.file.attribute.PosixFileAttributeView.class);
                posix.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Object dirKey = ds.getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class).readAttributes().fileKey();
                out.add("stream's directory is the renamed one: "
                        + dirKey.equals(Files.readAttributes(renamed, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                        + ", the impostor: "
                        + dirKey.equals(Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey()));
            }
            for (Path side : new Path[] {renamed, dir}) {
                TreeSet<String> entries = new TreeSet<>();
                try (var st = Files.list(side)) {
                    for (Path p : st.toList()) {
                        boolean ownerOnly = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)).equals("rw-------");
                        entries.add(p.getFileName() + "=" + read(p) + (ownerOnly ? " (chmod 600)" : ""));
                    }
                }
                out.add(side.getFileName() + " " + entries);
            }
            return out;
        };
        String[] o = d.outcomes(swapped);
        assertEquals(o[0], o[2], "uring: differs from the default provider");
        assertEquals("= [read original f, size 10, stream's directory is the renamed one: true, the impostor: false,"
                + " renamed [f=original f (chmod 600), mv2=original mv, new=created],"
                + " victim [f=impostor f, gone=impostor gone, mv=impostor mv]]", o[2]);
    }

    @Test
    void secureNewByteChannel() {
        sameSecure(root -> {
            var fs = root.getFileSystem();
            try (var ds = secure(root); var sub = ds.newDirectoryStream(fs.getPath("sub"))) {
                try (var ch = sub.newByteChannel(fs.getPath("new.txt"),
                        java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE))) {
                    ch.write(java.nio.ByteBuffer.wrap("written relative".getBytes()));
                }
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
                try (var ch = ds.newByteChannel(fs.getPath("a.txt"), java.util.Set.of())) {
                    ch.read(buf);
                }
                return read(root.resolve("sub/new.txt")) + "|" + new String(buf.array(), 0, buf.position());
            }
        });
        for (var opts : java.util.List.of(
                java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE),
                java.util.Set.of(java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.APPEND),
                java.util.Set.of(LinkOption.NOFOLLOW_LINKS),
                java.util.Set.<java.nio.file.OpenOption>of())) {
            for (String name : new String[] {"a.txt", "link", "missing", "sub"}) {
                sameSecure(root -> {
                    try (var ds = secure(root); var ch = ds.newByteChannel(root.getFileSystem().getPath(name), opts)) {
                        return ch.size() >= 0;
                    }
                });
            }
        }
        sameSecure(root -> { var ds = secure(root); ds.close(); return ds.newByteChannel(root.getFileSystem().getPath("a.txt"), java.util.Set.of()); });
    }

    @Test
    void secureAttributeViews() {
        for (String name : new String[] {null, "a.txt", "sub", "link", "dangling", "missing"}) {
            for (LinkOption[] opts : new LinkOption[][] {{}, {LinkOption.NOFOLLOW_LINKS}}) {
                sameSecure(root -> {
                    try (var ds = secure(root)) {
                        Path p = name == null ? null : root.getFileSystem().getPath(name);
                        var basic = p == null ? ds.getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class)
                                : ds.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, opts);
                        var posix = p == null ? ds.getFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)
                                : ds.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, opts);
                        var owner = p == null ? ds.getFileAttributeView(java.nio.file.attribute.FileOwnerAttributeView.class)
                                : ds.getFileAttributeView(p, java.nio.file.attribute.FileOwnerAttributeView.class, opts);
                        var b = basic.readAttributes();
                        var x = posix.readAttributes();
                        return basic.name() + " " + posix.name() + " " + owner.name() + " " + b.isDirectory() + b.isSymbolicLink()
                                + b.isRegularFile() + " " + (b.isRegularFile() ? b.size() : "") + " "
                                + java.nio.file.attribute.PosixFilePermissions.toString(x.permissions()) + " " + x.owner() + " "
                                + x.group() + " " + owner.getOwner() + " "
                                + (ds.getFileAttributeView(java.nio.file.attribute.AclFileAttributeView.class) == null);
                    }
                });
                sameSecure(root -> {
                    try (var ds = secure(root)) {
                        Path p = name == null ? null : root.getFileSystem().getPath(name);
                        var posix = p == null ? ds.getFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)
                                : ds.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, opts);
                        var t = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_123L);
                        posix.setTimes(t, null, null);
                        posix.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
                        var x = posix.readAttributes();
                        return x.lastModifiedTime() + " " + java.nio.file.attribute.PosixFilePermissions.toString(x.permissions());
                    }
                });
            }
        }
        sameSecure(root -> {
            var ds = secure(root);
            var view = ds.getFileAttributeView(root.getFileSystem().getPath("a.txt"), java.nio.file.attribute.BasicFileAttributeView.class);
            ds.close();
            return view.readAttributes();
        });
        sameSecure(root -> {
            try (var ds = secure(root)) {
                var view = ds.getFileAttributeView(root.getFileSystem().getPath("a.txt"), java.nio.file.attribute.PosixFileAttributeView.class);
                var group = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("root");
                var user = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
                view.setGroup(group);
                view.setOwner(user);
                try {
                    view.setOwner(group);
                } catch (IOException e) {
                    return e.getMessage() + " " + view.readAttributes().owner() + " " + view.readAttributes().group();
                }
                return "no exception";
            }
        });
    }

    @Test
    void walkFindAndWalkFileTree() throws IOException {
        sameAsAll(root -> { try (Stream<Path> s = Files.walk(root)) { return s.map(p -> root.relativize(p).toString()).sorted().toList(); } });
        sameAsAll(root -> { try (Stream<Path> s = Files.walk(root, java.nio.file.FileVisitOption.FOLLOW_LINKS)) { return s.map(p -> root.relativize(p).toString()).sorted().toList(); } });
        sameAsAll(root -> { try (Stream<Path> s = Files.find(root, 5, (p, a) -> a.isRegularFile())) { return s.map(p -> root.relativize(p).toString()).sorted().toList(); } });
        sameAsAll(root -> {
            List<String> visits = new ArrayList<>();
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
                    visits.add("pre " + root.relativize(dir));
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                    visits.add("file " + root.relativize(file) + " " + attrs.isSymbolicLink());
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
            return new TreeSet<>(visits);
        });
        sameAsAll(root -> { try (Stream<Path> s = Files.walk(root.resolve("missing"))) { return s.count(); } });
    }

    @Test
    void closingANamedFileSystemClosesItsStreamsAndWatchServices() throws IOException {
        List<String> fds = ownFds(d.setup[2]);   // before the file system: its ring is closed too
        var named = java.nio.file.FileSystems.newFileSystem(java.net.URI.create("uring://dirclose/"), java.util.Map.of());
        Path root = named.getPath(d.setup[2].toString());
        var ds = secure(root);
        var sub = ds.newDirectoryStream(named.getPath("sub"));
        var ws = named.newWatchService();
        root.register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
        Iterator<Path> it = ds.iterator();
        named.close();
        assertFalse(it.hasNext(), "iteration ends once the stream is closed");
        assertThrows(java.nio.file.ClosedDirectoryStreamException.class, () -> sub.deleteFile(named.getPath("x.txt")));
        assertThrows(java.nio.file.ClosedWatchServiceException.class, ws::poll);
        assertThrows(java.nio.file.ClosedFileSystemException.class, () -> Files.newDirectoryStream(root));
        assertThrows(java.nio.file.ClosedFileSystemException.class, named::newWatchService);
        assertEquals(fds, ownFds(d.setup[2]), "descriptors of the streams and the watch service are closed");
        assertTrue(Files.exists(d.setup[2].resolve("sub/x.txt")));
    }

    @Test
    void providerMismatch() throws IOException {
        Path other = d.roots[0].resolve("a.txt");
        try (var ds = secure(d.roots[2])) {
            assertThrows(java.nio.file.ProviderMismatchException.class, () -> ds.deleteFile(other));
            assertThrows(java.nio.file.ProviderMismatchException.class, () -> ds.newDirectoryStream(other));
            try (var foreign = secure(d.roots[0])) {
                assertThrows(java.nio.file.ProviderMismatchException.class,
                        () -> ds.move(d.roots[2].resolve("a.txt"), foreign, d.roots[2].resolve("z")));
            }
        }
        assertThrows(java.nio.file.ProviderMismatchException.class,
                () -> d.roots[2].getFileSystem().provider().newDirectoryStream(other, p -> true));
    }

    @Test
    void noDescriptorLeak() throws IOException {
        List<String> before = ownFds(d.setup[2]);
        for (int i = 0; i < 200; i++) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.roots[2])) {
                ds.iterator().hasNext();
            }
            try {
                Files.newDirectoryStream(d.roots[2].resolve("a.txt")).close();
            } catch (IOException expected) {
                // NotDirectoryException
            }
        }
        assertEquals(before, ownFds(d.setup[2]));
    }

    /**
     * The targets of this process's descriptors that a file system over {@code dir} can open:
     * files and directories under it, rings and inotify instances (anonymous inodes). A count of
     * all descriptors also sees the JVM opening and closing its own files (jars, JFR chunks) and
     * the pipes of child processes, which the JDK closes only after waitFor() returned.
     */
    static List<String> ownFds(Path dir) throws IOException {
        String under = dir.toRealPath() + "/";
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : s) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(under) || (target + "/").equals(under) || target.startsWith("anon_inode:")) out.add(target);
                } catch (IOException closed) {
                    // closed while listing (the listing's own descriptor)
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    @Test
    void aDifferentListingIsNoticed() throws IOException {
        // checks the comparison itself: a listing that differs must not compare equal
        Files.createFile(d.setup[2].resolve("extra"));
        String[] o = d.outcomes(root -> names(root, p -> true));
        assertFalse(o[0].equals(o[2]));
        assertTrue(o[2].contains("extra"));
    }
}
