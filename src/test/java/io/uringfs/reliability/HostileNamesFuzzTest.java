package io.uringfs.reliability;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
 * (NUL, "..", ".", very long names and deep paths, unmappable characters, symlink loops) run on the
 * default provider and on {@code uring:}, each in its own root; every outcome (result, or exception
 * type and message with the root masked) must match, and nothing may appear beside the roots.
 * Fixed seed; jqwik prints the seed and the shrunk sequence on failure.
 */
class HostileNamesFuzzTest {
    private static final String[] NAMES = {
            "a", "b", "c", "..", ".", "a/b", "a/..", "../x", "a\0b", "\0", "x".repeat(255), "x".repeat(256),
            "d/".repeat(1100) + "e", "loop1", "loop2", "loop1/f", "lnk", "\uDC80bad", "é", " ", "-"};
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

    @Property(tries = 400, seed = "4242")
    void sameOutcomesOnBothProviders(@ForAll("sequences") List<Step> steps) throws IOException {
        Path fileSide = base.resolve("file"), uringSide = base.resolve("uring");
        deleteTree(fileSide);
        deleteTree(uringSide);
        Path fileRoot = Files.createDirectories(fileSide.resolve("root"));
        Path uringRoot = uring.getPath(Files.createDirectories(uringSide.resolve("root")).toString());
        for (Path r : List.of(fileRoot, uringRoot)) {
            Files.createSymbolicLink(r.resolve("loop1"), r.getFileSystem().getPath("loop2"));
            Files.createSymbolicLink(r.resolve("loop2"), r.getFileSystem().getPath("loop1"));
        }
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (Step s : steps) {
            a.add(s + " -> " + run(s, fileRoot));
            b.add(s + " -> " + run(s, uringRoot));
        }
        assertEquals(a, b);
        // Operations may reach the side directory through "..", never beyond it, on both sides alike.
        assertEquals(listing(fileSide), listing(uringSide));
        try (Stream<Path> s = Files.list(base)) {
            assertEquals(List.of("file", "uring"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        return Combinators.combine(Arbitraries.of(Kind.class), name, name).as(Step::new).list().ofMinSize(1).ofMaxSize(12);
    }

    private static String run(Step s, Path root) {
        try {
            Path a = root.resolve(s.a()), b = root.resolve(s.b());
            return switch (s.kind()) {
                case CREATE_FILE -> rel(root, Files.createFile(a));
                case CREATE_DIRS -> rel(root, Files.createDirectories(a));
                case WRITE -> rel(root, Files.write(a, s.b().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                case READ -> new String(Files.readAllBytes(a), java.nio.charset.StandardCharsets.UTF_8);
                case DELETE -> String.valueOf(Files.deleteIfExists(a));
                case MOVE -> rel(root, Files.move(a, b));
                case COPY -> rel(root, Files.copy(a, b));
                case SYMLINK -> rel(root, Files.createSymbolicLink(a, root.getFileSystem().getPath(s.b())));
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
