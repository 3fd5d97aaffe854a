package io.uringfs.it.diff;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.CopyOption;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.uringfs.it.diff.Render.T1;
import static io.uringfs.it.diff.Scenarios.attempt;
import static io.uringfs.it.diff.Scenarios.dir;
import static io.uringfs.it.diff.Scenarios.file;
import static io.uringfs.it.diff.Scenarios.link;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.COPY_ATTRIBUTES;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code Files.copy} and {@code Files.move} between two file systems, with {@code uring:} on one
 * side: every kind of source (file, empty and non-empty directory, link to a file, dangling link,
 * missing) onto every kind of target (absent, file, empty and non-empty directory), with the option
 * sets that change the outcome (REPLACE_EXISTING, COPY_ATTRIBUTES, NOFOLLOW_LINKS, ATOMIC_MOVE).
 * Each pair is compared with a reference pair that differs from it on the uring side only, so that
 * every difference is uring's:
 * <ul>
 *   <li>uring to jimfs and jimfs to uring: the JDK's copy between providers ({@code Files}' own
 *       foreign-copy path); the references are default to jimfs and jimfs to default;</li>
 *   <li>uring to default and default to uring: also the foreign-copy path; the references replace
 *       uring with jimfs (default to default would be one provider, a different path);</li>
 *   <li>two {@code uring:} file systems: one provider, so {@code Files} calls the provider's own copy
 *       and move; the reference is the default provider between two directories.</li>
 * </ul>
 * Compared: the result or exception (class and message, roots replaced by {@code <src>} and
 * {@code <dst>}), the target's modification time, and both trees; POSIX permissions only when
 * neither pair involves jimfs, which has no umask. This table has two roots per case, hence not a
 * part of {@link Scenarios}, whose rows have one.
 */
class ForeignCopyIT {
    /** One side of a copy: a fresh root on one of these file systems. */
    enum Side {
        DEFAULT, JIMFS, URING,
        /** A second {@code uring:} file system ({@code uring://foreign-copy/}): the same provider as URING. */
        URING_NAMED
    }

    record Pair(Side source, Side target) {
        boolean hasJimfs() {
            return source == Side.JIMFS || target == Side.JIMFS;
        }

        @Override
        public String toString() {
            return source.name().toLowerCase() + " to " + target.name().toLowerCase();
        }
    }

    record Check(Pair actual, Pair reference) {
        boolean permissions() {
            return !actual.hasJimfs() && !reference.hasJimfs();
        }
    }

    static final List<Check> CHECKS = List.of(
            new Check(new Pair(Side.URING, Side.JIMFS), new Pair(Side.DEFAULT, Side.JIMFS)),
            new Check(new Pair(Side.JIMFS, Side.URING), new Pair(Side.JIMFS, Side.DEFAULT)),
            new Check(new Pair(Side.URING, Side.DEFAULT), new Pair(Side.JIMFS, Side.DEFAULT)),
            new Check(new Pair(Side.DEFAULT, Side.URING), new Pair(Side.DEFAULT, Side.JIMFS)),
            new Check(new Pair(Side.URING, Side.URING_NAMED), new Pair(Side.DEFAULT, Side.DEFAULT)));

    record Case(String op, String source, String target, List<CopyOption> options) {
        @Override
        public String toString() {
            return op + " " + source + " onto " + target + " " + options;
        }
    }

    private static final List<String> SOURCES = List.of("file", "empty-dir", "full-dir", "link-to-file", "dangling-link", "missing");
    private static final List<String> TARGETS = List.of("absent", "file", "empty-dir", "full-dir");
    private static final List<List<CopyOption>> COPY_OPTIONS = List.of(List.of(), List.of(REPLACE_EXISTING),
            List.of(COPY_ATTRIBUTES), List.of(NOFOLLOW_LINKS), List.of(REPLACE_EXISTING, COPY_ATTRIBUTES, NOFOLLOW_LINKS));
    private static final List<List<CopyOption>> MOVE_OPTIONS = List.of(List.of(), List.of(REPLACE_EXISTING), List.of(ATOMIC_MOVE));

    static final List<Case> CASES = cases();

    /**
     * Every source with every option set; the kinds of existing target only where they can make a
     * difference (with REPLACE_EXISTING or ATOMIC_MOVE, and for a source that exists): otherwise an
     * existing file stands for them all.
     */
    private static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (String s : SOURCES) {
            for (String op : List.of("copy", "move")) {
                for (List<CopyOption> o : op.equals("copy") ? COPY_OPTIONS : MOVE_OPTIONS) {
                    boolean replacing = o.contains(REPLACE_EXISTING) || o.contains(ATOMIC_MOVE);
                    for (String t : replacing && !s.equals("missing") ? TARGETS : List.of("absent", "file")) {
                        out.add(new Case(op, s, t, o));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static Path base;
    private static Instant since;
    private static FileSystem named;
    /** Reference outcomes, computed once per case and reference pair. */
    private static final Map<String, Outcome> references = new ConcurrentHashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        base = Files.createTempDirectory("uringfs-foreign");
        since = Instant.now();
        named = FileSystems.newFileSystem(URI.create("uring://foreign-copy/"), Map.of());
    }

    @AfterAll
    static void tearDown() throws IOException {
        named.close();
        Trees.deleteRecursively(base);
    }

    @TestFactory
    Stream<DynamicContainer> foreignCopies() {
        return CHECKS.stream().map(check -> DynamicContainer.dynamicContainer(check.actual().toString(),
                CASES.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> compare(check, c)))));
    }

    private static void compare(Check check, Case c) throws IOException {
        Outcome expected = references.computeIfAbsent(check.reference() + ": " + c, k -> run(check.reference(), c));
        Outcome actual = run(check.actual(), c);
        boolean perms = check.permissions();
        assertEquals(expected.text(perms), actual.text(perms),
                check.actual() + ": '" + c + "' differs from " + check.reference());
    }

    /** What a case returned or threw and both trees, with and without permissions. */
    record Outcome(String head, String trees, String treesWithoutPermissions) {
        String text(boolean permissions) {
            return head + "\n" + (permissions ? trees : treesWithoutPermissions);
        }
    }

    private static Outcome run(Pair pair, Case c) {
        try (Target.Root s = newRoot(pair.source(), "s"); Target.Root t = newRoot(pair.target(), "t")) {
            Norm norm = new Norm(s.path(), t.path());
            String head;
            try {
                head = "result: " + norm.value(body(c, s.path(), t.path()));
            } catch (Exception e) {
                head = "throws: " + norm.thrown(e);
            }
            return new Outcome(head, norm.trees(s.witness(), t.witness(), true), norm.trees(s.witness(), t.witness(), false));
        } catch (IOException e) {
            throw new AssertionError("setting up or removing the roots of " + pair + ": " + c, e);
        }
    }

    private static Target.Root newRoot(Side side, String prefix) throws IOException {
        return switch (side) {
            case DEFAULT -> Target.DEFAULT.newRoot(base);
            case JIMFS -> Target.JIMFS.newRoot(base);
            case URING -> Target.URING.newRoot(base);
            case URING_NAMED -> {
                Path dir = Files.createTempDirectory(base, prefix);
                yield new Target.Root(named.getPath(dir.toString()), dir, null);
            }
        };
    }

    private static Object body(Case c, Path s, Path t) throws Exception {
        Path src = s.resolve("src");
        switch (c.source()) {
            case "file" -> Files.setLastModifiedTime(file(s, "src", "source"), T1);
            case "empty-dir" -> Files.setLastModifiedTime(dir(s, "src"), T1);
            case "full-dir" -> {
                file(dir(s, "src"), "child", "c");
                Files.setLastModifiedTime(src, T1);
            }
            case "link-to-file" -> {
                Files.setLastModifiedTime(file(s, "real", "real"), T1);
                link(s, "src", "real");
            }
            case "dangling-link" -> link(s, "src", "nowhere");
            default -> { }
        }
        Path dst = t.resolve("dst");
        switch (c.target()) {
            case "file" -> file(t, "dst", "old");
            case "empty-dir" -> dir(t, "dst");
            case "full-dir" -> file(dir(t, "dst"), "x", "x");
            default -> { }
        }
        CopyOption[] o = c.options().toArray(CopyOption[]::new);
        Path result = c.op().equals("copy") ? Files.copy(src, dst, o) : Files.move(src, dst, o);
        return List.of(result, attempt(() -> Files.getLastModifiedTime(result, NOFOLLOW_LINKS)));
    }

    /** Provider-independent text: the two roots as {@code <src>} and {@code <dst>}, times the case did not set as {@code <recent>}. */
    private record Norm(Path source, Path target) {
        String text(String s) {
            String a = source.toString(), b = target.toString();
            // the longer root first, in case one root's text begins with the other's
            return a.length() >= b.length() ? s.replace(a, "<src>").replace(b, "<dst>") : s.replace(b, "<dst>").replace(a, "<src>");
        }

        String value(Object o) {
            return switch (o) {
                case null -> "null";
                case Thrown x -> thrown(x.exception());
                case Path p -> (p.getFileSystem() == target.getFileSystem() ? "path:" : "FOREIGN path:") + text(p.toString());
                case FileTime ft -> ft.equals(T1) ? ft.toString()
                        : !ft.toInstant().isBefore(since.minusSeconds(5)) ? "<recent>" : "time:" + ft;
                case Collection<?> c -> c.stream().map(this::value).collect(Collectors.joining(", ", "[", "]"));
                default -> o.getClass().getSimpleName() + "(" + text(o.toString()) + ")";
            };
        }

        String thrown(Throwable e) {
            String s = e.getClass().getName() + ": " + (e.getMessage() == null ? "null" : text(e.getMessage()));
            return e.getCause() == null ? s : s + " / caused by " + thrown(e.getCause());
        }

        String trees(Path sourceWitness, Path targetWitness, boolean permissions) throws IOException {
            return "source: " + Trees.snapshot(sourceWitness, permissions) + "\ntarget: " + Trees.snapshot(targetWitness, permissions);
        }
    }
}
