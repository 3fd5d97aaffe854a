package io.uringfs.fs;

import io.uringfs.engine.EngineConfig;

import java.util.Map;
import java.util.Set;

/**
 * Options of one uring file system, normalised once from the {@code env} map of
 * {@code FileSystems.newFileSystem} or, for the default file system, from system properties
 * ({@code uringfs.<key>}). Immutable.
 *
 * <p>Keys: {@code sqEntries} (int, default 256), {@code cqEntries} (int, default 2 x sqEntries),
 * {@code fallback} ({@code auto}: use plain system calls when io_uring is unavailable, logging the
 * reason once; {@code fail}: throw that reason; {@code never-ring}: do not use io_uring at all),
 * {@code restrict} (boolean, default true: register io_uring restrictions), {@code disabledOps}
 * (comma-separated opcode numbers never to submit).
 */
public record UringFileSystemConfig(EngineConfig engine, Fallback fallback) {

    public enum Fallback { AUTO, FAIL, NEVER_RING }

    public static UringFileSystemConfig fromEnv(Map<String, ?> env) {
        EngineConfig e = EngineConfig.defaults();
        Object v;
        if ((v = env.get("sqEntries")) != null) e = e.withSqEntries(toInt("sqEntries", v));
        if ((v = env.get("cqEntries")) != null) e = e.withCqEntries(toInt("cqEntries", v));
        if ((v = env.get("restrict")) != null) e = e.withRestrict(toBoolean("restrict", v));
        if ((v = env.get("disabledOps")) != null) e = e.withDisabledOps(toOps(v));
        if ((v = env.get("ringFactory")) != null) {
            if (!(v instanceof EngineConfig.RingFactory f)) {
                throw new IllegalArgumentException("ringFactory must be an EngineConfig.RingFactory: " + v);
            }
            e = e.withRingFactory(f);
        }
        Fallback fb = Fallback.AUTO;
        if ((v = env.get("fallback")) != null) {
            fb = switch (v.toString()) {
                case "auto" -> Fallback.AUTO;
                case "fail" -> Fallback.FAIL;
                case "never-ring" -> Fallback.NEVER_RING;
                default -> throw new IllegalArgumentException("fallback must be auto, fail or never-ring: " + v);
            };
        }
        for (String key : env.keySet()) {
            if (!Set.of("sqEntries", "cqEntries", "restrict", "disabledOps", "ringFactory", "fallback").contains(key)) {
                throw new IllegalArgumentException("unknown uringfs option: " + key);
            }
        }
        return new UringFileSystemConfig(e, fb);
    }

    /** The default file system's configuration: system properties {@code uringfs.sqEntries} and so on. */
    public static UringFileSystemConfig fromSystemProperties() {
        Map<String, String> env = new java.util.HashMap<>();
        for (String key : new String[] {"sqEntries", "cqEntries", "restrict", "disabledOps", "fallback"}) {
            String value = System.getProperty("uringfs." + key);
            if (value != null) env.put(key, value);
        }
        return fromEnv(env);
    }

    private static int toInt(String key, Object v) {
        try {
            return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(key + " must be an integer: " + v);
        }
    }

    private static boolean toBoolean(String key, Object v) {
        if (v instanceof Boolean b) return b;
        return switch (v.toString().trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false: " + v);
        };
    }

    private static Set<Integer> toOps(Object v) {
        if (v instanceof Set<?> s) {
            return s.stream().map(o -> toInt("disabledOps", o)).collect(java.util.stream.Collectors.toSet());
        }
        String str = v.toString().trim();
        if (str.isEmpty()) return Set.of();
        return java.util.Arrays.stream(str.split(",")).map(x -> toInt("disabledOps", x))
                .collect(java.util.stream.Collectors.toSet());
    }
}
