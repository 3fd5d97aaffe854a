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
import java.util.List;
import java.util.Map;

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

    static Results read(Path json) throws IOException {
        List<Run> runs = new ArrayList<>();
        JsonObject first = null;
        if (Files.exists(json) && Files.size(json) > 0) {
            JsonArray all = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
            for (JsonElement e : all) {
                JsonObject o = e.getAsJsonObject();
                if (first == null) first = o;
                String full = o.get("benchmark").getAsString();
                String[] parts = full.split("\\.");
                String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
                Map<String, String> params = new HashMap<>();
                if (o.has("params")) {
                    for (var p : o.getAsJsonObject("params").entrySet()) params.put(p.getKey(), p.getValue().getAsString());
                }
                double ops = median(raw(o.getAsJsonObject("primaryMetric")));
                Map<String, double[]> secondary = new HashMap<>();
                if (o.has("secondaryMetrics")) {
                    for (var m : o.getAsJsonObject("secondaryMetrics").entrySet()) {
                        String key = m.getKey().replace("\u00b7", "");
                        secondary.put(key, raw(m.getValue().getAsJsonObject()));
                    }
                }
                runs.add(new Run(name, params, ops, secondary));
            }
        }
        return new Results(runs, first);
    }

    boolean isEmpty() {
        return runs.isEmpty();
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

    private static double[] raw(JsonObject metric) {
        List<Double> values = new ArrayList<>();
        if (metric.has("rawData")) {
            for (JsonElement fork : metric.getAsJsonArray("rawData")) {
                for (JsonElement v : fork.getAsJsonArray()) values.add(v.getAsDouble());
            }
        }
        if (values.isEmpty() && metric.has("score")) values.add(metric.get("score").getAsDouble());
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
