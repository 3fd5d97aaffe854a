package io.uringfs.reliability;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differential fuzzing: random sequences of {@code Files}/channel operations on hostile names
 * (NUL, "..", ".", names longer than NAME_MAX (255 bytes), deep paths and paths longer than
 * PATH_MAX (4096 bytes), unmappable characters, names that are not UTF-8 at all, symlink loops)
 * run on the default provider, on {@code uring:} from a platform thread and on {@code uring:} from
 * a virtual thread (where uringfs opens, stats and transfers through the ring rather than with
 * plain system calls), each in its own root; every outcome (result, or exception type and message
 * with the root masked) must match, and nothing may appear beside the roots.
 *
 * <p>Names that are not UTF-8 cannot be written as Java strings (a string path is encoded with
 * {@code sun.jnu.encoding}); they are made from URIs with {@code %FF}-style escapes, which both
 * providers turn into those raw bytes: a {@link #NAMES} entry starting with {@code %} is resolved
 * that way, on {@code file:} and on {@code uring:} alike.
 *
 * <p>Fixed seed; jqwik prints the seed and the shrunk sequence on failure, and the assertion
 * messages repeat the seed.
 */
class HostileNamesFuzzTest {
    private static final String[] NAMES = {
            "a", "b", "c", "..", ".", "a/b", "a/..", "../x", "a\0b", "\0", "x".repeat(255), "x".repeat(256),
            // deep; longer than 2 KiB in a dozen levels; longer than PATH_MAX in valid components; a name past NAME_MAX
            // (long paths are made of long names, not thousands of levels: every walk of a tree N deep costs N^2 lookups)
            "d/".repeat(100) + "e", ("d".repeat(200) + "/").repeat(11) + "e", ("d".repeat(200) + "/").repeat(21) + "e",
            "p".repeat(250) + "/" + "q".repeat(250) + "/" + "r".repeat(4000),
            "loop1", "loop2", "loop1/f", "lnk", "\uDC80bad", "é", " ", "-",
            "%FF%FE", "%C3%28raw", "%80", "%FFdir/%FEf"};
    private static final String SEED = "4242";
    private enum Kind { CREATE_FILE, CREATE_DIRS, WRITE, READ, DELETE, MOVE, COPY, SYMLINK, SIZE, LIST, EXISTS, CHANNEL, NOFOLLOW_ATTRS, REAL_PATH }
    private record Step(Kind kind, String a, String b) {}

    private Path base;
    private FileSystem uring;

    @BeforeProperty
    void setUp() throws IOException {
        base = Files.createTempDirectory("uringfs-fuzz");
        uring = FileSystems.getFileSystem(URI.create("uring:///"));
    }

    @AfterProperty
    void tearDown() throws IOException {
        deleteTree(base);
    }

    @Property(tries = 2000, seed = SEED)
    void sameOutcomesOnBothProviders(@ForAll("sequences") List<Step> steps) throws Exception {
        Path fileSide = base.resolve("file"), uringSide = base.resolve("uring"), virtualSide = base.resolve("uring-vt");
        Path fileRoot = freshRoot(fileSide);
        Path uringRoot = uring.getPath(freshRoot(uringSide).toString());
        Path virtualRoot = uring.getPath(freshRoot(virtualSide).toString());
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (Step s : steps) {
            a.add(s + " -> " + run(s, fileRoot));
            b.add(s + " -> " + run(s, uringRoot));
        }
        List<String> c = new ArrayList<>();
        Thread.ofVirtual().start(() -> {
            for (Step s : steps) c.add(s + " -> " + run(s, virtualRoot));
        }).join();
        assertEquals(a, b, "seed " + SEED + ", uring: on a platform thread");
        assertEquals(a, c, "seed " + SEED + ", uring: on a virtual thread");
        // Operations may reach the side directory through "..", never beyond it, on every side alike.
        assertEquals(listing(fileSide), listing(uringSide), "seed " + SEED);
        assertEquals(listing(fileSide), listing(virtualSide), "seed " + SEED);
        try (Stream<Path> s = Files.list(base)) {
            assertEquals(List.of("file", "uring", "uring-vt"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /**
     * A file whose name is not UTF-8 ({@code 0xFF 0xFE}) is created, listed, read and deleted
     * alike through both providers, from platform and virtual threads.
     */
    @Example
    void rawByteNamesBehaveAlike() throws Exception {
        Path fileRoot = freshRoot(base.resolve("file"));
        Path uringRoot = uring.getPath(freshRoot(base.resolve("uring")).toString());
        Path virtualRoot = uring.getPath(freshRoot(base.resolve("uring-vt")).toString());
        List<Step> steps = List.of(new Step(Kind.CREATE_FILE, "%FF%FE", "a"), new Step(Kind.WRITE, "%FF%FE", "payload"),
                new Step(Kind.LIST, ".", "a"), new Step(Kind.READ, "%FF%FE", "a"), new Step(Kind.EXISTS, "%FF%FE", "a"),
                new Step(Kind.MOVE, "%FF%FE", "%80"), new Step(Kind.READ, "%80", "a"), new Step(Kind.DELETE, "%80", "a"),
                new Step(Kind.LIST, ".", "a"));
        List<String> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        for (Step s : steps) {
            a.add(s + " -> " + run(s, fileRoot));
            b.add(s + " -> " + run(s, uringRoot));
        }
        Thread.ofVirtual().start(() -> {
            for (Step s : steps) c.add(s + " -> " + run(s, virtualRoot));
        }).join();
        assertEquals("Step[kind=READ, a=%80, b=a] -> payload", a.get(6), String.join("\n", a));
        assertEquals(a, b);
        assertEquals(a, c);
        // the bytes on disk are exactly 0xFF 0xFE: a file made through uring: is found by file: under that raw name
        Path made = resolve(uringRoot, "%FF%FE");
        Files.writeString(made, "raw");
        assertEquals("raw", Files.readString(resolve(Path.of(uringRoot.toString()), "%FF%FE")));
        try (Stream<Path> listed = Files.list(uringRoot)) {
            assertEquals(List.of(made.getFileName().toString()),
                    listed.map(q -> q.getFileName().toString()).filter(n -> !n.startsWith("loop")).toList());
        }
    }

    /** An empty {@code root} under {@code side} (whatever was there removed), with the two looping links. */
    private Path freshRoot(Path side) throws IOException {
        deleteTree(side);
        Path root = Files.createDirectories(side.resolve("root"));
        Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(root.resolve("loop2"), Path.of("loop1"));
        return root;
    }

    /** {@code name} under {@code root}: a plain string, or (starting with {@code %}) raw bytes from a URI escape. */
    private static Path resolve(Path root, String name) {
        if (!name.startsWith("%")) return root.resolve(name);
        String dir = root.toUri().toString();
        return Path.of(URI.create(dir.endsWith("/") ? dir + name : dir + "/" + name));
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        return Combinators.combine(Arbitraries.of(Kind.class), name, name).as(Step::new).list().ofMinSize(1).ofMaxSize(12);
    }

    private static String run(Step s, Path root) {
        try {
            Path a = resolve(root, s.a()), b = resolve(root, s.b());
            return switch (s.kind()) {
                case CREATE_FILE -> rel(root, Files.createFile(a));
                case CREATE_DIRS -> rel(root, Files.createDirectories(a));
                case WRITE -> rel(root, Files.write(a, s.b().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                case READ -> new String(Files.readAllBytes(a), java.nio.charset.StandardCharsets.UTF_8);
                case DELETE -> String.valueOf(Files.deleteIfExists(a));
                case MOVE -> rel(root, Files.move(a, b));
                case COPY -> rel(root, Files.copy(a, b));
                case SYMLINK -> rel(root, Files.createSymbolicLink(a, s.b().startsWith("%") ? root.relativize(b) : root.getFileSystem().getPath(s.b())));
                case SIZE -> String.valueOf(Files.size(a));
                case LIST -> {
                    try (Stream<Path> st = Files.list(a)) {
                        yield st.map(p -> rel(root, p)).sorted().toList().toString();
                    }
                }
                case EXISTS -> Files.exists(a) + "/" + Files.exists(a, LinkOption.NOFOLLOW_LINKS) + "/" + Files.isDirectory(a);
                case CHANNEL -> {
                    try (FileChannel ch = FileChannel.open(a, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10);
                        ch.force(true);
                        yield String.valueOf(ch.size());
                    }
                }
                case NOFOLLOW_ATTRS -> {
                    var attrs = Files.readAttributes(a, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    yield attrs.isSymbolicLink() + "/" + attrs.isDirectory() + "/" + attrs.isRegularFile() + "/" + (attrs.isDirectory() ? "-" : attrs.size());
                }
                case REAL_PATH -> rel(root, a.toRealPath());
            };
        } catch (Exception e) {
            String msg = String.valueOf(e.getMessage()).replace(root.toString(), "<root>")
                    .replace(root.getParent().toString(), "<side>");
            return e.getClass().getName() + ": " + msg;
        }
    }

    private static String rel(Path root, Path p) {
        return p.toString().replace(root.toString(), "<root>").replace(root.getParent().toString(), "<side>");
    }

    private static List<String> listing(Path side) throws IOException {
        try (Stream<Path> s = Files.walk(side)) {
            return s.map(p -> side.relativize(p).toString()).sorted().toList();
        } catch (java.io.UncheckedIOException | java.nio.file.FileSystemException e) {
            return List.of("walk failed: " + e.getClass().getName());
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
