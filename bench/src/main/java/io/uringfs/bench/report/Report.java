package io.uringfs.bench.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns one benchmark run (JMH's JSON results plus the fio JSON files of {@code bench/run}) into
 * {@code bench/results/<date>-<host>.md}: a header naming the machine and run, one table per
 * workload (uringfs, default provider, ratio, fio fraction, CPU per op, extra platform threads,
 * allocation per op, ticker p99), the targets of issue 5 marked met or missed with their numbers,
 * and a PNG chart of the ratios beside it. Prints the tables, and optionally copies them into the
 * README between markers.
 *
 * <pre>
 * java -cp benchmarks.jar io.uringfs.bench.report.Report --jmh work/jmh.json --fio work/fio
 *      --out results/2025-01-01-host.md [--readme README.md] [--header-file header.txt]
 * </pre>
 */
public final class Report {
    private static final String README_BEGIN = "<!-- latest-results:begin -->";
    private static final String README_END = "<!-- latest-results:end -->";

    /** One table row: a benchmark (with fixed params) run on both file systems. */
    record Case(String group, String label, String key, String benchmark, Map<String, String> filter,
                String fioCache, int fioDepth, boolean virtualThreads) {
    }

    /** What the matching fio job measured: reads/s, and its own CPU time (user + system) per read in ns. */
    record Fio(double iops, double cpuNanosPerOp) {
        static final Fio NONE = new Fio(Double.NaN, Double.NaN);
    }

    /**
     * The benchmarks' 1 ms ticker run in a JVM of its own beside a fio job ({@code bench/run}'s
     * {@code fio/ticker-<job>.txt}): how late the host woke it, and the job's reads/s.
     */
    record HostTicker(int jobs, double p99Micros, double iops) {
        String describe() {
            return String.format(Locale.ROOT, "%.2f ms beside fio at depth 128 (%s, %,.0f reads/s)", p99Micros / 1e3,
                    jobs == 1 ? "1 job" : jobs + " jobs", iops);
        }
    }

    /** The ops/s and CPU-per-op ratios of one JMH run that had both providers, and whether uringfs' fork ran first. */
    record Order(boolean uringFirst, double ratio, double cpuRatio) {
    }

    /**
     * A case's measurements; either run may be null when it did not run or failed, fio is NONE where
     * it has no job. {@code orders} holds the ratios of each JMH run that measured both providers
     * (two for the cases run in both provider orders).
     */
    record Row(Case c, Results.Run uring, Results.Run dflt, Fio fio, List<Order> orders) {
        /** uringfs / default ops/s: of the medians, or for a case run in both orders the geometric mean of each order's ratio. */
        double ratio() {
            if (orders.size() > 1) return geometricMean(orders.stream().mapToDouble(Order::ratio).toArray());
            return uring == null || dflt == null ? Double.NaN : uring.opsPerSec() / dflt.opsPerSec();
        }

        /** uringfs / default CPU time per op, combined over the orders as {@link #ratio()}. */
        double cpuRatio() {
            if (orders.size() > 1) return geometricMean(orders.stream().mapToDouble(Order::cpuRatio).toArray());
            return metric(true, "cpu.per.op") / metric(false, "cpu.per.op");
        }

        double fioFraction() {
            return uring == null || Double.isNaN(fio.iops()) ? Double.NaN : uring.opsPerSec() / fio.iops();
        }

        double metric(boolean ofUring, String name) {
            Results.Run r = ofUring ? uring : dflt;
            return r == null ? Double.NaN : r.median(name);
        }

        double extraThreads(boolean ofUring) {
            Results.Run r = ofUring ? uring : dflt;
            return r == null ? Double.NaN : r.max("threads.extra");
        }
    }

    /** Every JMH file's results together. */
    private final Results results;
    /** Host tickers by {@link #fioJob} name, those that ran. */
    private final Map<String, HostTicker> hostTickers = new HashMap<>();
    private final Map<String, Row> rows = new LinkedHashMap<>();

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        List<Path> jmh = new ArrayList<>();
        for (String f : opt.getOrDefault("jmh", "bench/work/jmh.json").split(",")) jmh.add(Path.of(f));
        Path fio = Path.of(opt.getOrDefault("fio", "bench/work/fio"));
        Path out = Path.of(opt.getOrDefault("out", "bench/results/report.md"));
        String header = opt.containsKey("header-file") ? Files.readString(Path.of(opt.get("header-file"))) : "";

        Report report = new Report(jmh, fio);
        Path png = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".png");
        report.chart(png);
        String tables = report.tables();
        String targets = report.targets();
        String md = "# uringfs benchmark results\n\n" + header.strip() + "\n\n" + runSettings(report.results)
                + "\n![uringfs / default provider and uringfs / fio, per workload](" + png.getFileName() + ")\n\n"
                + "## Targets (issue 5)\n\n" + targets + "\n" + tables + legend();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        System.out.println(targets);
        System.out.println(tables);
        System.out.println("report: " + out + "\nchart:  " + png);
        if (opt.containsKey("readme")) updateReadme(Path.of(opt.get("readme")), out, header, targets, tables);
    }

    /** Reads the JMH files together (the medians) and each on its own (the per-order ratios). */
    Report(List<Path> jmh, Path fioDir) throws IOException {
        results = Results.read(jmh);
        for (String cache : new String[] {"cold", "direct"}) {
            for (int jobs : HOST_TICKER_JOBS) {
                HostTicker t = hostTicker(fioDir, cache, jobs);
                if (t != null) hostTickers.put(fioJob(cache, jobs), t);
            }
        }
        List<Results> runs = new ArrayList<>();
        for (Path f : jmh) runs.add(Results.read(List.of(f)));
        for (Case c : cases()) {
            Results.Run u = results.find(c.benchmark, "uring", c.filter);
            Results.Run d = results.find(c.benchmark, "default", c.filter);
            Fio fio = c.fioCache == null ? Fio.NONE : fio(fioDir.resolve(c.fioCache + "-" + c.fioDepth + ".json"));
            List<Order> orders = new ArrayList<>();
            for (Results run : runs) {
                Results.Run ru = run.find(c.benchmark, "uring", c.filter), rd = run.find(c.benchmark, "default", c.filter);
                if (ru != null && rd != null) {
                    orders.add(new Order(run.before(ru, rd), ru.opsPerSec() / rd.opsPerSec(),
                            ru.median("cpu.per.op") / rd.median("cpu.per.op")));
                }
            }
            rows.put(c.key, new Row(c, u, d, fio, orders));
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String[][] states = {
                {"hot", "4 KiB random reads, page cache hot (64 MiB file)"},
                {"cold", "4 KiB random reads, page cache cold, buffered (4 GiB file, pages dropped before each iteration)"},
                {"direct", "4 KiB random reads, O_DIRECT (4 GiB file)"}};
        for (String[] s : states) {
            String cache = s[0];
            Map<String, String> f = Map.of("cache", cache);
            cases.add(new Case(s[1], "1 platform thread", cache + " p1", "RandomRead.platform", f, cache, 1, false));
            cases.add(new Case(s[1], "1 virtual thread", cache + " vt1", "RandomRead.vt1", f, cache, 1, true));
            cases.add(new Case(s[1], "16 virtual threads", cache + " vt16", "RandomRead.vt16", f, cache, 16, true));
            cases.add(new Case(s[1], "256 virtual threads", cache + " vt256", "RandomRead.vt256", f, cache, 128, true));
            cases.add(new Case(s[1], "1,024 virtual threads", cache + " vt1024", "RandomRead.vt1024", f, cache, 128, true));
        }
        String seq = "Sequential 1 MiB, one platform thread (ops/s = MiB/s)";
        cases.add(new Case(seq, "read, hot", "seq read hot", "SequentialRead.read1m", Map.of("cache", "hot"), null, 0, false));
        cases.add(new Case(seq, "read, cold", "seq read cold", "SequentialRead.read1m", Map.of("cache", "cold"), null, 0, false));
        cases.add(new Case(seq, "write (buffered)", "seq write", "Writes.write1m", Map.of(), null, 0, false));
        String force = "4 KiB write + force(false), one platform thread";
        cases.add(new Case(force, "write + fdatasync", "write+force", "Writes.write4kForce", Map.of(), null, 0, false));
        String tree = "Small-file tree: 10,000 files of 4 KiB, open + stat + read + close (op = one file)";
        for (String threads : new String[] {"64", "1"}) {
            for (String cache : new String[] {"cold", "hot"}) {
                cases.add(new Case(tree, cache + ", " + threads + " virtual thread" + (threads.equals("1") ? "" : "s"),
                        "tree " + cache + " vt" + threads, "SmallFiles.readTree",
                        Map.of("cache", cache, "threads", threads), null, 0, true));
            }
        }
        String async = "AsynchronousFileChannel, 4 KiB random reads, 64 in flight, CompletionHandlers";
        for (String cache : new String[] {"hot", "cold"}) {
            cases.add(new Case(async, cache, "async " + cache, "AsyncRead.reads", Map.of("cache", cache), cache, 64, false));
        }
        return cases;
    }

    // ---- tables ----

    String tables() {
        StringBuilder sb = new StringBuilder();
        String group = null;
        for (Row r : rows.values()) {
            if (!r.c.group.equals(group)) {
                group = r.c.group;
                sb.append("\n### ").append(group).append("\n\n")
                  .append("| case | uringfs ops/s | default ops/s | ratio | fio IOPS | uringfs / fio | CPU µs/op (u / d / fio) "
                          + "| extra platform threads (u / d) | alloc B/op (u / d) | ticker p99 ms (u / d) |\n")
                  .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            }
            sb.append("| ").append(r.c.label)
              .append(" | ").append(ops(r.uring)).append(" | ").append(ops(r.dflt))
              .append(" | ").append(ratio(r.ratio()))
              .append(" | ").append(orDash(r.fio.iops(), "%,.0f"))
              .append(" | ").append(fraction(r.fioFraction()))
              .append(" | ").append(pair(r.metric(true, "cpu.per.op") / 1e3, r.metric(false, "cpu.per.op") / 1e3, "%.1f"))
              .append(" / ").append(orDash(r.fio.cpuNanosPerOp() / 1e3, "%.1f"))
              .append(" | ").append(pair(r.extraThreads(true), r.extraThreads(false), "%.0f"))
              .append(" | ").append(pair(r.metric(true, "gc.alloc.rate.norm"), r.metric(false, "gc.alloc.rate.norm"), "%.0f"))
              .append(" | ").append(r.c.virtualThreads
                      ? pair(r.metric(true, "ticker.p99") / 1e3, r.metric(false, "ticker.p99") / 1e3, "%.2f") : "–")
              .append(" |\n");
        }
        return sb.toString();
    }

    private static String legend() {
        return """

                ### How to read this

                - ops/s, CPU, allocation and ticker values are medians over all measurement iterations; ratio = uringfs / default.
                - The cases the targets name are run twice, once with uringfs' JMH fork first and once with the default
                  provider's first (the host's speed drifts within minutes, and whichever ran second was often faster):
                  their medians are over the iterations of both runs, their ratio (and the `O_DIRECT` target's CPU
                  ratio) is the geometric mean of the two runs' ratios, each comparing forks run one right after the
                  other, and the targets table also gives each order's ratio. A full pass runs the single-thread cases
                  (sequential, hot 1 platform thread, hot and `O_DIRECT` 1 virtual thread) ten times more, each
                  run one shorter fork per provider, in alternating order: their ratio is the geometric mean over
                  the twelve runs, and the targets table gives the range.
                - fio: `ioengine=io_uring`, bs=4k, randread, iodepth = thread count capped at 128 (64 for the
                  AsynchronousFileChannel rows), same file and cache state (hot: cached, `invalidate=0`; cold:
                  `invalidate=1`; O_DIRECT: `direct=1`). uringfs / fio is the share of that ceiling reached.
                - CPU µs/op: process CPU time (every thread: JIT, GC, the ring's completion thread) / ops; for fio,
                  its job's user + system CPU time / its reads.
                - extra platform threads: peak live platform threads during an iteration minus those alive before
                  the fork's first iteration (the JDK compensates a virtual thread blocked in file I/O with a new
                  carrier, up to 256).
                - alloc B/op: `-prof gc` `gc.alloc.rate.norm`. Virtual-thread rows include starting the threads
                  (about the same for both columns); the 1 platform thread rows are the per-read steady state.
                - ticker p99: lateness of a virtual thread sleeping 1 ms in a loop during the iteration (a tick still
                  pending at the end counts with its lateness so far). The ticker targets also give the same ticker
                  run in a JVM of its own beside fio's depth-128 cold and O_DIRECT jobs, with 1 job and with 2 jobs
                  sharing the depth (which keep both CPUs busy, as 1,024 virtual threads' reads do): how late the
                  host wakes a thread under such reads with no Java reader at all.
                - "n/a": the benchmark did not run or failed on that file system (see the JMH log).
                """;
    }

    // ---- targets ----

    String targets() {
        StringBuilder sb = new StringBuilder("| target | measured | verdict |\n|---|---|---|\n");
        List<String> inTheWay = new ArrayList<>();
        Row cold = rows.get("cold vt1024"), direct = rows.get("direct vt1024");
        target(sb, "cold buffered 4 KiB random reads, 1,024 VTs: ≥ 1.7× default and ≥ 0.9× fio (depth 128)",
                "ratio " + ratio(cold.ratio(), 1.7) + byOrder(cold) + ", fio fraction " + fraction(cold.fioFraction()),
                verdict(cold.ratio() >= 1.7, !Double.isNaN(cold.fio.iops()) ? cold.fioFraction() >= 0.9 : null, cold.ratio()),
                inTheWay, NOT_PROFILED);
        double defaultCpu = direct.metric(false, "cpu.per.op");
        double cpuRatio = direct.cpuRatio();
        double fioCpuRatio = direct.fio.cpuNanosPerOp() / defaultCpu;
        target(sb, "O_DIRECT 4 KiB random reads, 1,024 VTs: ≥ 1.0× IOPS, ≤ 4 extra platform threads, ≤ 0.5× CPU/op",
                "ratio " + ratio(direct.ratio(), 1.0) + byOrder(direct) + ", extra threads " + num(direct.extraThreads(true), "%.0f")
                        + " (default " + num(direct.extraThreads(false), "%.0f") + "), CPU/op " + ratio(cpuRatio, 0.5)
                        + (Double.isNaN(fioCpuRatio) ? "" : " (fio's own: " + ratio(fioCpuRatio) + ")"),
                verdict(direct.ratio() >= 1.0, direct.extraThreads(true) <= 4, direct.ratio(), cpuRatio <= 0.5),
                inTheWay, DIRECT_1024);
        for (String key : new String[] {"hot p1", "hot vt1", "hot vt1024"}) {
            Row r = rows.get(key);
            ratioAtLeast(sb, "hot-cache 4 KiB reads, " + r.c.label, r, 0.9, inTheWay, switch (key) {
                case "hot vt1" -> HOT_VT1;
                case "hot vt1024" -> HOT_VT1024;
                default -> NOT_PROFILED;
            });
        }
        Row d1 = rows.get("direct vt1");
        ratioAtLeast(sb, "O_DIRECT 4 KiB random reads, 1 virtual thread", d1, 0.9, inTheWay, NOT_PROFILED);
        for (Row r : new Row[] {cold, direct}) {
            double p99 = r.metric(true, "ticker.p99") / 1e3;
            StringBuilder host = new StringBuilder();
            for (int jobs : HOST_TICKER_JOBS) {
                HostTicker t = hostTickers.get(fioJob(r.c.fioCache, jobs));
                if (t != null) host.append(host.isEmpty() ? "; the same ticker in a JVM of its own: " : ", ").append(t.describe());
            }
            target(sb, "ticker p99 during " + r.c.key.replace(" vt1024", "") + " 1,024-VT reads: ≤ 1 ms",
                    num(p99, "%.2f") + " ms (default " + num(r.metric(false, "ticker.p99") / 1e3, "%.2f") + " ms" + host + ")",
                    verdict(p99 <= 1.0, null, p99), inTheWay, TICKER);
        }
        StringBuilder seqMeasured = new StringBuilder();
        double seqWorst = Double.POSITIVE_INFINITY;  // NaN as soon as one of them is missing
        for (String key : new String[] {"seq read hot", "seq read cold", "seq write"}) {
            Row r = rows.get(key);
            seqMeasured.append(seqMeasured.isEmpty() ? "" : ", ").append(key.replace("seq ", "")).append(' ').append(ratio(r.ratio(), 0.95)).append(byOrder(r));
            seqWorst = Double.isNaN(r.ratio()) ? Double.NaN : Math.min(seqWorst, r.ratio());
        }
        target(sb, "sequential 1 MiB reads and writes: ≥ 0.95×", seqMeasured.toString(),
                verdict(seqWorst >= 0.95, null, seqWorst), inTheWay, SEQUENTIAL);
        Row tree = rows.get("tree cold vt64");
        ratioAtLeast(sb, "small-file tree, cold (64 VTs)", tree, 1.5, inTheWay, SMALL_FILES_COLD);
        double worst = Double.NaN;
        StringBuilder alloc = new StringBuilder();
        for (String key : new String[] {"hot p1", "cold p1", "direct p1"}) {
            double a = rows.get(key).metric(true, "gc.alloc.rate.norm");
            alloc.append(alloc.isEmpty() ? "" : ", ").append(key.replace(" p1", "")).append(' ').append(num(a, "%.0f")).append(" B");
            if (!Double.isNaN(a)) worst = Double.isNaN(worst) ? a : Math.max(worst, a);
        }
        target(sb, "steady-state allocation ≤ 64 bytes per read (1 platform thread)", alloc.toString(),
                verdict(worst <= 64, null, worst), inTheWay, NOT_PROFILED);
        if (!inTheWay.isEmpty()) {
            sb.append("\nWhat profiling showed in the way of the missed targets (host `vm`, 2 vCPUs; method and numbers in\n")
              .append("`bench/results/2026-11-30-vm-notes.md`):\n\n");
            for (String why : inTheWay) sb.append("- ").append(why).append('\n');
        }
        return sb.toString();
    }

    /**
     * Adds a row; a missed target also adds what profiling showed in its way. Those findings are
     * written here by hand from the notes, so they describe the machine they were measured on.
     */
    private static void target(StringBuilder sb, String what, String measured, String verdict, List<String> inTheWay, String why) {
        sb.append("| ").append(what).append(" | ").append(measured).append(" | ").append(verdict).append(" |\n");
        if (verdict.equals(MISSED)) inTheWay.add("**" + what + "**: " + why);
    }

    /** A target that asks only for the row's ratio to reach {@code threshold}. */
    private static void ratioAtLeast(StringBuilder sb, String what, Row r, double threshold, List<String> inTheWay, String why) {
        target(sb, what + ": ≥ " + threshold + "×", "ratio " + ratio(r.ratio(), threshold) + byOrder(r),
                verdict(r.ratio() >= threshold, null, r.ratio()), inTheWay, why);
    }

    private static final String NOT_PROFILED =
            "no profile of a miss here is on record; see the JMH log and the notes.";
    private static final String DIRECT_1024 = """
            the device is the limit for both providers: it holds 85 reads (virtio-blk, one queue, no indirect \
            descriptors) and both keep them in flight (`/sys/block/vda/inflight`: median 85). It completes \
            about 85 per interrupt, so reads/s are set by how fast the guest refills it after each one, and \
            uringfs' completion thread, which submits every read, shares the interrupt's CPU (pinned to the \
            other CPU as a diagnostic: 81-85k against 79-81k reads/s; the default provider's 255 threads are \
            spread over both); it also sleeps in the block layer for a free request (76% of its kernel-stack \
            samples in `blk_mq_get_tag`). Measured no better: 128-256 reads in the kernel, batched completion \
            waits, refilling the ring before waking readers, `IORING_SETUP_COOP_TASKRUN`, a higher or lower \
            priority for that thread. CPU per read: ≤ 0.5× the default provider's asks for about what fio \
            itself spends (its own ratio, measured in the same run, is in the target's line; 3.9-5.6 µs per \
            read on this VM across runs, against the default provider's 7.4-10.0 µs; uringfs' own 0.51-0.78× \
            in the full passes of sessions 6-10, 0.85× and 0.71× in the two of session 11, run while the \
            host was slow, with fio's own at 0.52× and 0.69×); even with registered buffers and files, which spare the kernel pinning \
            the reader's memory for each read, fio spent 3.8-3.9 µs, and uringfs reading into registered \
            pages and copying out measured no better (session 11). Waking a completion batch's readers \
            through one of them instead of one by one from the completion thread saved about 8% of the CPU \
            per read in alternating probes (session 11). Six rounds alternating with fio in the same minutes \
            (session 12): uringfs 0.93-1.02× the default provider's reads/s (median 1.00×) at 0.61-0.74× its \
            CPU per read (median 0.68×); fio at depth 128 0.97-1.17× at 0.49-0.58× (median 0.53×). uringfs \
            spent a median 1.2 µs per read more than fio, less than parking and waking a virtual thread \
            costs on its own at this rhythm (1.4-2.0 µs, probe without I/O, session 10). A minimal probe \
            engine (one platform thread submitting and reaping for 1,024 parked virtual threads, nothing \
            else) spent about as much as uringfs in alternating rounds (5.6-7.9 against 5.9-7.7 µs), and \
            more on a single-issuer ring with `IORING_SETUP_DEFER_TASKRUN` (7.7-9.0 µs; session 13). Split by \
            thread (session 14, CPU time per thread from `/proc` in this benchmark's forks): the completion \
            thread 2.8-3.0 µs per read, about what fio spends on everything with batched submission and \
            completion (2.7-3.4 µs), and the carriers 2.0-2.4 µs, about a virtual thread's bare park and wake; \
            the default provider spent 7.9-9.2 µs in the same minutes.""";

    private static final String TICKER = """
            the host's scheduler. A thread woken while both CPUs are busy waits for the running thread's \
            time slice to end, which this kernel (HZ=250) checks every 4 ms; fio shows it without Java: \
            a 1 ms platform-thread ticker in a JVM of its own (session 20, 8 s each) was 0.22 ms late at \
            p99 on the idle machine, 2.00 ms beside fio's `O_DIRECT` depth-128 job (1 job, 76,260 \
            reads/s) and 3.81 ms beside 2 jobs (148,050 reads/s); cold buffered 1.34 ms (1 job, 54,973) \
            and 5.01 ms (2 jobs, 114,251); under 1 ms only with fio held to 41,622 cold reads/s \
            (`--rate_iops`: 0.70 ms), a third of uringfs' rate. The measured column gives this run's own \
            host ticker (a virtual thread, whose wake-up takes two OS wake-ups: the JDK's timer thread, \
            then a carrier). \
            uringfs' 1,024 readers keep both CPUs busy at 120,000-145,000 reads/s on this host; on the \
            slower disk of sessions 6-15 (75,000-85,000) full passes measured 0.38-1.02 ms. Measured no \
            better (session 17): the completion thread at nice 10, `io_uring_enter` calls of at most 32 \
            SQEs, a 256-entry CQ; holding reads back with a 128-entry CQ: 105,000-107,000 `O_DIRECT` \
            reads/s with the ticker at 10.3 ms, 92,000-93,000 cold reads/s at 1.5 ms; pausing free page \
            reporting (session 20): 5.7-6.5 ms against 4.5-11.8 ms; the completion thread under \
            `SCHED_IDLE`, which any waking thread preempts at once (session 21, median of 5 iterations): \
            2.91 ms against 3.96 cold, 5.11 against 5.46 `O_DIRECT`: the readers' carriers keep the CPUs.""";

    private static final String SMALL_FILES_COLD = """
            on the host of sessions 16-18 (kernel 6.18.44-fc-v1045, page-table isolation forced on) uringfs \
            spends more CPU per file than the default provider and the two CPUs, not the disk, set the \
            pace. Session 18 took out two costs found with `perf` (notes): the kernel interrupted a running \
            carrier with an IPI to finish each cold read (its task_work; 0.28 reschedule IPIs per file, \
            against none for the default provider), which it now leaves for the carrier's next entry into \
            the kernel (`IORING_SETUP_COOP_TASKRUN`); and a carrier waited in the kernel for every read that \
            was alone in flight while the other 63 readers needed it (now only a lone reader waits). In \
            alternating rounds 16,300-20,300 files/s became 21,400-23,800 with the first, and 17,100-20,400 \
            became 20,800-25,800 with the second; pass AA, before both: 0.89×. Left per file: the readahead \
            and virtio kick that the page-cache try (`preadv2(RWF_NOWAIT)`) starts on the carrier, as the \
            default provider's blocking read does, about 2.6 more system calls (that try, `F_SETFL` after the \
            cached open, `io_uring_enter`), and the completion's hop through the completion thread and a \
            park. After pass BB (1.47×) a third change went in: the page-cache try on newly opened files, \
            which started each cold file's disk read on the carrier (one block request per plug, against \
            1.47 through the ring), is skipped once such tries keep missing; alternating rounds 24,000-26,600 \
            became 32,900-35,400 files/s, and a partial run of the small-file cases measured 1.62× (1.75× / \
            1.50× by order; `2026-12-02-vm-smallfiles.md`), full pass CC 1.75× (1.82× / 1.67×). In pass Y, \
            on the earlier host (kernel fc-v669): 2.17× at 33 against 36 µs per file.""";


    private static final String HOT_VT1 = """
            a virtual thread's reads of a file whose tries keep hitting the page cache are plain `pread64` \
            calls, as the default provider's (after 1,024 hits in a row; one read in 16 still tries \
            `preadv2(RWF_NOWAIT)`, so that a miss is noticed); until session 9 every read was such a try, \
            whose kernel path costs 13% more (iovec import, copy and free, `vfs_readv`). Probe, one hot \
            reader, 3 s rounds alternating in one JVM: 0.84-0.88× before, 0.90-0.91× after; async-profiler \
            then shows both providers' reads in `pread64` with about equal samples. Session 18, separate \
            JVMs (one hot reader, 2 s rounds, with and without a 1 ms ticker): 0.91-0.94×; no uringfs-woken \
            thread was counted waiting, so the reader gave up its carrier only every 10 ms. Passes so far: \
            0.79-1.05×, pass BB 0.80× (0.73× / 0.87× by order); single-fork JMH rounds right after pass BB: \
            1.24×, 1.00× and (with JFR on) 1.38×, at error bars of 25-70% of the scores. Pass CC 0.89× \
            (0.94× / 0.84×); three alternating single-fork rounds after it: 1.00× (1.06 system calls per \
            read for both: `perf stat`), 0.94× and 1.29×, uringfs at 347,000-358,000 reads/s in each and \
            the default provider at 269,000-379,000. Pass EE (session 20): each provider's JVMs ran \
            either fast (uringfs 321,000-361,000 reads/s, the default provider 363,000-387,000) or slow \
            (218,000-232,000 and 242,000-272,000, at 1.3-1.7× the CPU per read), so its 0.85× mixes \
            states; within the fast ones uringfs reads about 0.93-0.95× as many. `perf` of one hot reader \
            outside JMH (4 s each): the same kernel path for both (`_copy_to_iter` 22.5% / 22.4%, \
            `filemap_get_read_batch` 11.0% / 13.2%); uringfs' own extras are the FFM downcall's errno \
            capture (`__errno_location` and `capture_state`, 1.9% of samples) and the one-in-16 \
            `preadv2` try (1.2%). Ten alternating pairs of single forks after the pass: 0.75-1.22× per \
            pair, geometric mean 0.98× (95% interval 0.88-1.10×).""";
    private static final String HOT_VT1024 = """
            until session 9 the reads were `preadv2(RWF_NOWAIT)` calls, whose kernel path costs more than \
            `pread64`'s (probe, 1,024 hot readers, 3 s rounds alternating in one JVM: 0.86-0.92×, 1.20-1.31 \
            against 1.09-1.12 µs of CPU per read); now a file's reads are plain `pread64` calls once 1,024 \
            tries in a row hit, one in 16 still tried (probe: 0.97-1.00× in rounds at the same host speed). \
            The case swings with the default provider: 1.10-2.02M reads/s across passes on the earlier \
            host, 0.52-0.79M on this one (0.84-1.37× so far). Pass CC 0.87× (0.97× / 0.77×; the default \
            provider's second fork at 792,342 ± 156,812); four alternating single-fork rounds after it: \
            0.91×, 1.11×, 1.08× and 0.94× (geometric mean 1.01×), at 2.81-3.48 against 2.80-3.82 µs of CPU \
            per read.""";
    private static final String SEQUENTIAL = """
            both providers make the same plain calls on one platform thread (`read(fd, 1 MiB)`, \
            `write(fd, 1 MiB)`: strace), and the ratios move with the host. Cold reads: the guest reports \
            freed memory to its host (virtio-balloon free page reporting), and touching those pages again \
            makes the kernel's copy to user space swing between 886 and 2,188 MiB/s for either provider \
            (`perf`: 64% of cycles in `_copy_to_iter`); with reporting off both providers read 1,978-2,188 \
            MiB/s. Writes (0.94-1.08× across passes): whichever provider's fork runs second writes faster \
            (JMH rerun after pass T: 0.968× with uringfs first, 1.04× with the default provider first, \
            0.997× over both), so from pass T on `bench/run` runs them in both orders, as the reads. After \
            pass CC, four single-fork cold runs: both providers' 2 s iterations jumped between about \
            1,400-2,600 and 14,000 reads of 1 MiB per second within one run (uringfs 1,368 → 14,002, the \
            default provider 14,176 → 1,952). Session 20: strace of 2,000 hot reads, 1,967 `read(fd, \
            1048576)` for each provider and nothing else on the file; from one JVM to the next, both \
            providers' hot reads settle at 3,500-3,800 or at 5,000-5,200 MiB/s (pinned to one CPU, \
            4,000-4,900 for either); with free page reporting paused, cold forks read 3,300-5,100 MiB/s \
            for either (on: 1,160-6,350). So a full pass runs them twice more, in shorter forks, and \
            `--pause-page-reporting` takes the host's reporting out.""";

    private static final String MISSED = "**missed**";

    /** "met" / "**missed**", or "not measured" when the deciding number is missing. */
    private static String verdict(boolean first, Boolean second, double anyValue, boolean... more) {
        if (Double.isNaN(anyValue)) return "not measured";
        boolean met = first && (second == null || second);
        for (boolean m : more) met &= m;
        return met ? "met" : MISSED;
    }

    // ---- chart ----

    void chart(Path png) throws IOException {
        List<String> labels = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> fio = new ArrayList<>();
        for (Row r : rows.values()) {
            if (Double.isNaN(r.ratio())) continue;
            labels.add(r.c.key);
            ratios.add(r.ratio());
            // fio is a ceiling only where the device works; on hot rows it measures io_uring's
            // own overhead against a plain pread, and its huge ratios would flatten the chart.
            boolean ceiling = !Double.isNaN(r.fioFraction()) && !"hot".equals(r.c.fioCache);
            fio.add(ceiling ? r.fioFraction() : 0.0);
        }
        CategoryChart chart = new CategoryChartBuilder().width(1600).height(700)
                .title("uringfs vs the default provider (ratio of ops/s; 1.0 = parity) and vs fio io_uring")
                .xAxisTitle("workload").yAxisTitle("ratio").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        if (labels.isEmpty()) {
            labels.add("no uringfs/default pairs measured");
            ratios.add(0.0);
            fio.add(0.0);
        }
        chart.addSeries("uringfs / default", labels, ratios);
        chart.addSeries("uringfs / fio io_uring (cold and O_DIRECT rows)", labels, fio);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    // ---- README ----

    private static void updateReadme(Path readme, Path out, String header, String targets, String tables) throws IOException {
        if (!Files.exists(readme)) return;
        String text = Files.readString(readme);
        int b = text.indexOf(README_BEGIN), e = text.indexOf(README_END);
        if (b < 0 || e < b) return;
        Path rel = readme.toAbsolutePath().getParent().relativize(out.toAbsolutePath());
        String png = rel.toString().replaceFirst("\\.md$", ".png");
        String block = README_BEGIN + "\nLatest: [" + rel + "](" + rel + ")\n\n" + header.strip() + "\n\n![ratios](" + png + ")\n\n"
                + targets + "\n" + tables + "\n";
        Files.writeString(readme, text.substring(0, b) + block + text.substring(e));
    }

    // ---- formatting ----

    private static String runSettings(Results results) {
        if (results.first == null) return "No JMH results were found.\n";
        JsonObject o = results.first;
        return String.format(Locale.ROOT, "JMH %s on %s %s; %s fork(s), %s warm-up x %s, %s measurement x %s; %s.%n",
                str(o, "jmhVersion"), str(o, "vmName"), str(o, "jdkVersion"), str(o, "forks"), str(o, "warmupIterations"),
                str(o, "warmupTime"), str(o, "measurementIterations"), str(o, "measurementTime"),
                String.join(" ", JsonParser.parseString(o.get("jvmArgs").toString()).getAsJsonArray().asList().stream()
                        .map(j -> "`" + j.getAsString() + "`").toList()));
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsString() : "?";
    }

    /** How many fio jobs shared the depth in the runs {@code bench/run} puts a host ticker beside. */
    private static final int[] HOST_TICKER_JOBS = {1, 2};

    /** {@code bench/run}'s name for a depth-128 fio job: {@code cold-128}, {@code direct-128x2}. */
    private static String fioJob(String cache, int jobs) {
        return cache + "-128" + (jobs > 1 ? "x" + jobs : "");
    }

    /** The host ticker beside the depth-128 fio job of {@code cache} with {@code jobs} jobs, or null if it did not run. */
    private static HostTicker hostTicker(Path fioDir, String cache, int jobs) throws IOException {
        String job = fioJob(cache, jobs);
        Path file = fioDir.resolve("ticker-" + job + ".txt");
        if (!Files.exists(file)) return null;
        Map<String, String> kv = new HashMap<>();
        for (String field : Files.readString(file).trim().split("\\s+")) {
            int eq = field.indexOf('=');
            if (eq > 0) kv.put(field.substring(0, eq), field.substring(eq + 1));
        }
        Fio fio = fio(fioDir.resolve(job + ".json"));
        if (!kv.containsKey("p99_us") || Double.isNaN(fio.iops())) return null;
        return new HostTicker(jobs, Double.parseDouble(kv.get("p99_us")), fio.iops());
    }

    /** Reads fio's JSON output: the job's read IOPS, and its CPU per read from usr/sys_cpu (% of its runtime). */
    private static Fio fio(Path file) throws IOException {
        if (!Files.exists(file)) return Fio.NONE;
        try {
            JsonObject job = JsonParser.parseString(Files.readString(file)).getAsJsonObject()
                    .getAsJsonArray("jobs").get(0).getAsJsonObject();
            JsonObject read = job.getAsJsonObject("read");
            double cpuShare = (job.get("usr_cpu").getAsDouble() + job.get("sys_cpu").getAsDouble()) / 100;
            double cpuNanos = cpuShare * job.get("job_runtime").getAsDouble() * 1e6;
            long reads = read.get("total_ios").getAsLong();
            return new Fio(read.get("iops").getAsDouble(), reads > 0 ? cpuNanos / reads : Double.NaN);
        } catch (RuntimeException e) {
            return Fio.NONE;
        }
    }

    private static String ops(Results.Run r) {
        return r == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", r.opsPerSec());
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f×", v);
    }

    /** As {@link #ratio(double)}, with a third decimal where two would show the target's {@code threshold} itself (0.899 missed 0.9, yet printed 0.90). */
    private static String ratio(double v, double threshold) {
        return Math.round(v * 100) == Math.round(threshold * 100) && v != threshold
                ? String.format(Locale.ROOT, "%.3f×", v) : ratio(v);
    }

    /**
     * Each order's ratio, " (0.90× uringfs first, 0.98× default first)", for a case run in both
     * provider orders; for one run in many pairs of forks, their count and range.
     */
    private static String byOrder(Row r) {
        if (r.orders().size() < 2) return "";
        if (r.orders().size() > 4) {
            DoubleSummaryStatistics each = r.orders().stream().mapToDouble(Order::ratio).summaryStatistics();
            return " (" + each.getCount() + " runs: " + ratio(each.getMin()) + "–" + ratio(each.getMax()) + ")";
        }
        StringJoiner each = new StringJoiner(", ", " (", ")");
        for (Order o : r.orders()) each.add(ratio(o.ratio()) + (o.uringFirst() ? " uringfs first" : " default first"));
        return each.toString();
    }

    private static double geometricMean(double[] values) {
        double logs = 0;
        for (double v : values) logs += Math.log(v);
        return Math.exp(logs / values.length);
    }

    private static String fraction(double v) {
        return orDash(v, "%.2f");
    }

    /** A fio-derived number, or "–" where there is no fio job (unlike {@link #num}'s "n/a" for a run that failed). */
    private static String orDash(double v, String fmt) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, fmt, v);
    }

    private static String num(double v, String fmt) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

    private static String pair(double u, double d, String fmt) {
        return num(u, fmt) + " / " + num(d, fmt);
    }
}
