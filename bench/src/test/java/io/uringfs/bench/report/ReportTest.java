package io.uringfs.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the report combines a case measured in both provider orders, from JMH JSON written here. */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    void aCaseRunInBothOrdersHasTheGeometricMeanOfTheOrdersRatios() throws IOException {
        // uringfs first: 90 against 100 reads/s; default first, on a host twice as fast: 200 against 160
        Path first = json("jmh.json", run("direct", "uring", 90, 4.0), run("direct", "default", 100, 8.0));
        Path reversed = json("jmh-reversed-1.json", run("direct", "default", 200, 10.0), run("direct", "uring", 160, 6.0));
        String targets = report(first, reversed).targets();
        // sqrt(0.9 * 0.8) = 0.849, not the pooled medians' 125 / 150 = 0.833; CPU sqrt(0.5 * 0.6) = 0.548
        assertContains(targets, "ratio 0.85× (0.90× uringfs first, 0.80× default first)");
        assertContains(targets, "CPU/op 0.55×");
    }

    @Test
    void aCaseRunManyTimesGivesTheCountAndRangeOfItsRunsRatios() throws IOException {
        double[] uring = {80, 120, 100, 90, 110, 100};
        Path[] runs = new Path[uring.length];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = i % 2 == 0
                    ? json("jmh-" + i + ".json", run("direct", "uring", uring[i], 4.0), run("direct", "default", 100, 8.0))
                    : json("jmh-" + i + ".json", run("direct", "default", 100, 8.0), run("direct", "uring", uring[i], 4.0));
        }
        // (0.8 * 1.2 * 1.0 * 0.9 * 1.1 * 1.0)^(1/6) = 0.993
        assertContains(report(runs).targets(), "ratio 0.99× (6 runs: 0.80×–1.20×)");
    }

    @Test
    void aCaseRunInOneOrderHasTheRatioOfItsMedians() throws IOException {
        Path first = json("jmh.json", run("direct", "uring", 90, 4.0), run("direct", "default", 100, 8.0));
        String targets = report(first).targets();
        assertContains(targets, "ratio 0.90×, extra threads");
        assertContains(targets, "CPU/op 0.50×");
    }

    @Test
    void theTickerTargetGivesTheHostTickerBesideEachFioJobThatHasOne() throws IOException {
        Path fio = Files.createDirectories(dir.resolve("fio"));
        Files.writeString(fio.resolve("direct-128x2.json"), """
                {"jobs": [{"usr_cpu": 10.0, "sys_cpu": 50.0, "job_runtime": 10000,
                           "read": {"iops": 148050.5, "total_ios": 1480505}}]}""");
        Files.writeString(fio.resolve("ticker-direct-128x2.txt"), "ticks=7000 p50_us=120 p99_us=3810 max_us=28260\n");
        Files.writeString(fio.resolve("ticker-direct-128.txt"), "ticks=7000 p50_us=120 p99_us=2000 max_us=23040\n");
        Path first = json("jmh.json", run("direct", "uring", 90, 4.0), run("direct", "default", 100, 8.0));
        String targets = new Report(List.of(first), fio).targets();
        // direct-128.json is missing: that ticker has no reads/s to stand beside, so it is left out
        assertContains(targets, "; the same ticker in a JVM of its own: 3.81 ms beside fio at depth 128 (2 jobs, 148,051 reads/s))");
        assertTrue(!targets.contains("2.00 ms"), targets);
    }

    private Report report(Path... files) throws IOException {
        return new Report(List.of(files), dir.resolve("no-fio"));
    }

    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), () -> "expected \"" + part + "\" in:\n" + text);
    }

    private Path json(String name, String... runs) throws IOException {
        return Files.writeString(dir.resolve(name), "[" + String.join(",", runs) + "]");
    }

    /** One JMH result of RandomRead.vt1024: two iterations at {@code ops}, CPU per op in µs. */
    private static String run(String cache, String fs, double ops, double cpuMicros) {
        return String.format(Locale.ROOT, """
                {"benchmark": "io.uringfs.bench.RandomRead.vt1024", "params": {"cache": "%s", "fs": "%s"},
                 "primaryMetric": {"score": %s, "rawData": [[%s, %s]]},
                 "secondaryMetrics": {"cpu.per.op": {"score": %s, "rawData": [[%s, %s]]},
                                      "threads.extra": {"score": 2, "rawData": [[2, 2]]}}}""",
                cache, fs, ops, ops, ops, cpuMicros * 1e3, cpuMicros * 1e3, cpuMicros * 1e3);
    }
}
