package io.uringfs.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JMH's JSON results ({@code -rf json}) reduced to what the report quotes: for each benchmark and
 * parameter set, the median over all measurement iterations (of all forks) of the score and of each
 * secondary metric ({@code -prof gc}'s {@code gc.alloc.rate.norm}, {@link io.uringfs.bench.RunMetrics}'s
 * metrics), and the maximum for the thread counts.
 */
final class Results {
    /** One benchmark run: {@code benchmark} is "Class.method", e.g. "RandomRead.vt1024". */
    record Run(String benchmark, Map<String, String> params, double opsPerSec, Map<String, double[]> secondary) {
        /** Median of a secondary metric over its iterations, or NaN when absent. */
        double median(String metric) {
            double[] v = secondary.get(metric);
            return v == null ? Double.NaN : Results.median(v);
        }

        double max(String metric) {
            double[] v = secondary.get(metric);
            return v == null ? Double.NaN : Arrays.stream(v).max().orElse(Double.NaN);
        }
    }

    private final List<Run> runs;
    final JsonObject first;

    private Results(List<Run> runs, JsonObject first) {
        this.runs = runs;
        this.first = first;
    }

    /**
     * Reads one or more JMH result files. A benchmark and parameter set found in several (the
     * cases run once in each provider order) counts the iterations of all of them.
     */
    static Results read(List<Path> files) throws IOException {
        Map<String, Accumulated> byRun = new LinkedHashMap<>();
        JsonObject first = null;
        for (Path json : files) {
            if (!Files.exists(json) || Files.size(json) == 0) continue;
            JsonArray all = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
            for (JsonElement e : all) {
                JsonObject o = e.getAsJsonObject();
                if (first == null) first = o;
                String full = o.get("benchmark").getAsString();
                String[] parts = full.split("\\.");
                String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
                Map<String, String> params = new TreeMap<>();
                if (o.has("params")) {
                    for (var p : o.getAsJsonObject("params").entrySet()) params.put(p.getKey(), p.getValue().getAsString());
                }
                Accumulated a = byRun.computeIfAbsent(name + params, k -> new Accumulated(name, params));
                raw(o.getAsJsonObject("primaryMetric"), a.ops);
                if (o.has("secondaryMetrics")) {
                    for (var m : o.getAsJsonObject("secondaryMetrics").entrySet()) {
                        String key = m.getKey().replace("\u00b7", "");
                        raw(m.getValue().getAsJsonObject(), a.secondary.computeIfAbsent(key, k -> new ArrayList<>()));
                    }
                }
            }
        }
        List<Run> runs = new ArrayList<>();
        for (Accumulated a : byRun.values()) {
            Map<String, double[]> secondary = new HashMap<>();
            a.secondary.forEach((k, v) -> secondary.put(k, toArray(v)));
            runs.add(new Run(a.benchmark, a.params, median(toArray(a.ops)), secondary));
        }
        return new Results(runs, first);
    }

    /** The iterations of one benchmark and parameter set, over every file read. */
    private record Accumulated(String benchmark, Map<String, String> params, List<Double> ops, Map<String, List<Double>> secondary) {
        Accumulated(String benchmark, Map<String, String> params) {
            this(benchmark, params, new ArrayList<>(), new HashMap<>());
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    boolean isEmpty() {
        return runs.isEmpty();
    }

    /** Whether {@code a} comes before {@code b} in the results, that is, ran first (JMH runs in the order it reports). */
    boolean before(Run a, Run b) {
        return runs.indexOf(a) < runs.indexOf(b);
    }

    /** The run of {@code benchmark} on file system {@code fs} whose params include {@code filter}, or null. */
    Run find(String benchmark, String fs, Map<String, String> filter) {
        for (Run r : runs) {
            if (!r.benchmark.equals(benchmark) || !fs.equals(r.params.get("fs"))) continue;
            boolean match = true;
            for (var f : filter.entrySet()) match &= f.getValue().equals(r.params.get(f.getKey()));
            if (match) return r;
        }
        return null;
    }

    /** Adds the metric's per-iteration values (of every fork) to {@code values}, or its score if it has none. */
    private static void raw(JsonObject metric, List<Double> values) {
        int before = values.size();
        if (metric.has("rawData")) {
            for (JsonElement fork : metric.getAsJsonArray("rawData")) {
                for (JsonElement v : fork.getAsJsonArray()) values.add(v.getAsDouble());
            }
        }
        if (values.size() == before && metric.has("score")) values.add(metric.get("score").getAsDouble());
    }

    static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
