package io.uringfs.it.diff;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The differential suite: every row of {@link Scenarios#ALL} runs on the default provider (twice,
 * which checks that the scenario itself is deterministic), on jimfs where it applies, and on
 * {@code uring:}; the jimfs and uring outcomes (result or exception class and message, plus the
 * resulting tree as seen through a provider not under test) must equal the default provider's.
 * Each scenario x provider is its own test; a table of all outcomes is printed at the end.
 */
class DifferentialIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Path base;
    private static Instant since;
    private static final Map<String, Outcome> reference = new ConcurrentHashMap<>();
    private static final Map<String, Map<Target, String>> table = new ConcurrentHashMap<>();

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
    }

    @AfterAll
    static void tearDown() throws IOException {
        Trees.deleteRecursively(base);
        printTable();
    }

    @TestFactory
    Stream<DynamicContainer> differential() {
        return Scenarios.ALL.stream().map(s -> DynamicContainer.dynamicContainer(s.name(), Stream.of(
                DynamicTest.dynamicTest("default", () -> defaultColumn(s)),
                DynamicTest.dynamicTest("jimfs", () -> otherColumn(s, Target.JIMFS)),
                DynamicTest.dynamicTest("uring", () -> otherColumn(s, Target.URING)))));
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
        String what = target + ": '" + s.name() + "' differs from the default provider";
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
                Object result;
                Throwable thrown = null;
                try {
                    result = s.body().run(root.path());
                } catch (Exception | StackOverflowError e) {
                    result = null;
                    thrown = e;
                }
                Render full = new Render(root.path(), since, true);
                Render classes = new Render(root.path(), since, false);
                return new Outcome(head(full, result, thrown), head(classes, result, thrown),
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
        StringBuilder out = new StringBuilder("\n=== differential outcomes (scenario: default jimfs uring) ===\n");
        Map<Target, Map<String, Integer>> counts = new EnumMap<>(Target.class);
        List<String> uringFailures = new ArrayList<>();
        for (Scenario s : Scenarios.ALL) {
            Map<Target, String> row = table.getOrDefault(s.name(), Map.of());
            out.append(String.format("%-6s %-6s %-6s %s%n", row.getOrDefault(Target.DEFAULT, "-"),
                    row.getOrDefault(Target.JIMFS, "-"), row.getOrDefault(Target.URING, "-"), s.name()));
            for (Target t : Target.values()) {
                counts.computeIfAbsent(t, k -> new LinkedHashMap<>()).merge(row.getOrDefault(t, "-"), 1, Integer::sum);
            }
            if ("FAIL".equals(row.get(Target.URING))) uringFailures.add(s.name());
        }
        out.append("totals: ").append(counts).append('\n');
        out.append("uring failures (").append(uringFailures.size()).append("): ").append(uringFailures).append('\n');
        System.out.print(out);
        Path report = Path.of("target", "differential-outcomes.txt");
        if (Files.isDirectory(report.getParent())) Files.writeString(report, out);
    }
}
