package io.uringfs.it.diff;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential suite: every row of {@link Scenarios#ALL} runs on the default provider (twice,
 * which checks that the scenario itself is deterministic), on jimfs where it applies, and on
 * {@code uring:} twice, from a platform thread and from a virtual thread; the jimfs and uring
 * outcomes (result or exception class and message, plus the resulting tree as seen through a
 * provider not under test) must equal the default provider's. Each scenario x provider is its own
 * test; a table of all outcomes is printed at the end.
 *
 * <p>The two uring columns take different paths through uringfs: a platform thread makes plain
 * system calls for reads, writes, opens, stats and {@code fsync}, a virtual thread submits them to
 * the ring when a non-blocking first try cannot serve them. A JFR recording of uringfs's
 * {@code io.uringfs.Operation} events, made during the whole suite, shows which ring ops the
 * virtual-thread column submitted; the last test checks that they include the ring-only ones.
 */
class DifferentialIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Path base;
    private static Instant since;
    private static final Map<String, Outcome> reference = new ConcurrentHashMap<>();
    private static final Map<String, Map<Target, String>> table = new ConcurrentHashMap<>();
    /** Ring ops the scenarios submit, recorded so that the virtual-thread column's can be counted. */
    private static Recording ringOps;
    /**
     * Opcodes the virtual-thread column must have submitted to the ring: those that never take a
     * plain first try (creating opens, close, the directory-entry ops, fsync, ftruncate, xattrs),
     * and a stat of a name the dentry cache does not know (a missing file's first lookup).
     */
    private static final Set<String> RING_OPS_EXPECTED = Set.of("OPENAT", "CLOSE", "STATX", "MKDIRAT", "UNLINKAT",
            "RENAMEAT", "SYMLINKAT", "LINKAT", "FSYNC", "FTRUNCATE", "FGETXATTR", "FSETXATTR");

    /**
     * A rendered outcome: what the scenario returned or threw (with and without exception messages)
     * and the tree it left (with and without permissions, which jimfs does not model like a kernel).
     */
    private record Outcome(String head, String headWithoutMessages, String tree, String treeWithoutPermissions) {
        String full() {
            return head + "\n" + tree;
        }

        Outcome map(UnaryOperator<String> f) {
            return new Outcome(f.apply(head), f.apply(headWithoutMessages), f.apply(tree), f.apply(treeWithoutPermissions));
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        base = Files.createTempDirectory("uringfs-diff");
        since = Instant.now();
        ringOps = new Recording();
        ringOps.enable("io.uringfs.Operation").withoutThreshold().withoutStackTrace();
        ringOps.start();
    }

    @AfterAll
    static void tearDown() throws IOException {
        ringOps.close();
        Trees.deleteRecursively(base);
        printTable();
    }

    @TestFactory
    Stream<DynamicNode> differential() {
        Stream<DynamicNode> rows = Scenarios.ALL.stream().map(s -> DynamicContainer.dynamicContainer(s.name(), Stream.of(
                DynamicTest.dynamicTest("default", () -> defaultColumn(s)),
                DynamicTest.dynamicTest("jimfs", () -> otherColumn(s, Target.JIMFS)),
                DynamicTest.dynamicTest("uring", () -> otherColumn(s, Target.URING)),
                DynamicTest.dynamicTest("uring-vt", () -> otherColumn(s, Target.URING_VT)))));
        // dynamic nodes run in order: this one after every row
        return Stream.concat(rows, Stream.of(DynamicTest.dynamicTest("uring-vt submitted to the ring",
                DifferentialIT::virtualThreadColumnUsedTheRing)));
    }

    /**
     * The virtual-thread column's ring ops, from the JFR recording: every opcode of
     * {@link #RING_OPS_EXPECTED} was submitted by a virtual thread, and {@code uring:///} runs on
     * the ring (it did not fall back to plain system calls).
     */
    private static void virtualThreadColumnUsedTheRing() throws IOException {
        var fs = (io.uringfs.fs.UringFileSystem) Path.of(java.net.URI.create("uring:///")).getFileSystem();
        assertTrue(fs.usesRing(), "uring:/// fell back to plain system calls: " + fs.fallbackReason());
        ringOps.stop();
        Path dump = Files.createTempFile(base, "ops", ".jfr");
        ringOps.dump(dump);
        Map<String, Long> byOpcode = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(dump)) {
            if (e.getThread() != null && e.getThread().isVirtual()) byOpcode.merge(e.getString("opcode"), 1L, Long::sum);
        }
        System.out.println("ring ops submitted by virtual threads during the differential suite: " + byOpcode);
        Set<String> missing = new TreeSet<>(RING_OPS_EXPECTED);
        missing.removeAll(byOpcode.keySet());
        assertTrue(missing.isEmpty(), "no " + missing + " reached the ring from the uring-vt column: " + byOpcode);
    }

    private static void defaultColumn(Scenario s) {
        record(s, Target.DEFAULT, "FAIL");
        Outcome first = referenceOf(s);
        Outcome second = run(s, Target.DEFAULT);
        assertEquals(first.full(), second.full(), "'" + s.name() + "' is not deterministic on the default provider");
        record(s, Target.DEFAULT, "ok");
    }

    private static void otherColumn(Scenario s, Target target) {
        if (target == Target.JIMFS && s.jimfsNotApplicable() != null) {
            record(s, target, "n/a");
            throw new TestAbortedException("not applicable to jimfs: " + s.jimfsNotApplicable());
        }
        record(s, target, "FAIL");
        Outcome expected = referenceOf(s);
        Outcome actual = run(s, target);
        String what = target.label() + ": '" + s.name() + "' differs from the default provider";
        if (target == Target.JIMFS && s.jimfsExpected() != null) {
            expected = expected.map(s.jimfsExpected().expectation());
            what += " (expected as adjusted for jimfs: " + s.jimfsExpected().reason() + ")";
        }
        if (target == Target.JIMFS) {
            // jimfs gives every new file and directory the same permissions (no umask): never compared
            boolean messages = s.jimfsMessagesDiffer() == null;
            assertEquals((messages ? expected.head() : expected.headWithoutMessages()) + "\n" + expected.treeWithoutPermissions(),
                    (messages ? actual.head() : actual.headWithoutMessages()) + "\n" + actual.treeWithoutPermissions(),
                    messages ? what : what + " (messages not compared: " + s.jimfsMessagesDiffer() + ")");
            record(s, target, messages ? "ok" : "ok-");
        } else {
            assertEquals(expected.full(), actual.full(), what);
            record(s, target, "ok");
        }
    }

    private static Outcome referenceOf(Scenario s) {
        return reference.computeIfAbsent(s.name(), n -> run(s, Target.DEFAULT));
    }

    private static Outcome run(Scenario s, Target target) {
        return assertTimeoutPreemptively(TIMEOUT, () -> {
            try (Target.Root root = target.newRoot(base)) {
                Object[] result = new Object[1];
                Throwable[] thrown = new Throwable[1];
                Error[] escaped = new Error[1];
                Runnable body = () -> {
                    try {
                        result[0] = s.body().run(root.path());
                    } catch (Exception | StackOverflowError e) {
                        thrown[0] = e;
                    } catch (Error e) {
                        escaped[0] = e;   // not an outcome: fails the test, from the test's thread
                    }
                };
                if (target.virtual()) {
                    Thread.ofVirtual().name("scenario").start(body).join();
                } else {
                    body.run();
                }
                if (escaped[0] != null) throw escaped[0];
                Render full = new Render(root.path(), since, true);
                Render classes = new Render(root.path(), since, false);
                return new Outcome(head(full, result[0], thrown[0]), head(classes, result[0], thrown[0]),
                        tree(full, Trees.snapshot(root.witness(), target != Target.JIMFS)),
                        tree(full, Trees.snapshot(root.witness(), false)));
            }
        }, () -> s.name() + " on " + target + " did not finish within " + TIMEOUT);
    }

    private static String head(Render r, Object result, Throwable thrown) {
        return thrown == null ? "result: " + r.value(result) : "throws: " + r.thrown(thrown);
    }

    private static String tree(Render r, List<String> lines) {
        return "tree:" + (lines.isEmpty() ? " (empty)" : "\n  " + String.join("\n  ", lines.stream().map(r::text).toList()));
    }

    private static void record(Scenario s, Target t, String status) {
        table.computeIfAbsent(s.name(), k -> new EnumMap<>(Target.class)).put(t, status);
    }

    /**
     * Prints, and writes to target/differential-outcomes.txt, scenario x provider: ok, ok- (jimfs,
     * messages not compared), n/a (jimfs), FAIL.
     */
    private static void printTable() throws IOException {
        StringBuilder out = new StringBuilder("\n=== differential outcomes (scenario: default jimfs uring uring-vt) ===\n");
        Map<Target, Map<String, Integer>> counts = new EnumMap<>(Target.class);
        List<String> uringFailures = new ArrayList<>();
        for (Scenario s : Scenarios.ALL) {
            Map<Target, String> row = table.getOrDefault(s.name(), Map.of());
            out.append(String.format("%-6s %-6s %-6s %-8s %s%n", row.getOrDefault(Target.DEFAULT, "-"),
                    row.getOrDefault(Target.JIMFS, "-"), row.getOrDefault(Target.URING, "-"),
                    row.getOrDefault(Target.URING_VT, "-"), s.name()));
            for (Target t : Target.values()) {
                counts.computeIfAbsent(t, k -> new LinkedHashMap<>()).merge(row.getOrDefault(t, "-"), 1, Integer::sum);
            }
            if ("FAIL".equals(row.get(Target.URING))) uringFailures.add(s.name());
            if ("FAIL".equals(row.get(Target.URING_VT))) uringFailures.add(s.name() + " (virtual thread)");
        }
        out.append("totals: ").append(counts).append('\n');
        out.append("uring failures (").append(uringFailures.size()).append("): ").append(uringFailures).append('\n');
        System.out.print(out);
        Path report = Path.of("target", "differential-outcomes.txt");
        if (Files.isDirectory(report.getParent())) Files.writeString(report, out);
    }
}
