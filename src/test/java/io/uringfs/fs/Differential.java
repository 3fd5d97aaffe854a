package io.uringfs.fs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs one scenario on several file systems and reduces each run to a comparable outcome: the
 * normalised result, or "THROWS class: message", with the scenario's root directory replaced by
 * {@code ROOT} so that runs in different directories compare equal.
 */
final class Differential {
    private Differential() {}

    /** A scenario: builds what it needs under {@code root} and returns what it observed. */
    @FunctionalInterface
    interface Scenario {
        Object run(Path root) throws Exception;
    }

    static FileSystem uringFs() {
        return Path.of(URI.create("uring:///")).getFileSystem();
    }

    /** The uring path naming the same file as a default-provider path. */
    static Path uring(Path defaultPath) {
        return uringFs().getPath(defaultPath.toString());
    }

    /** The default-provider path naming the same file as {@code p} (for setup through the JDK). */
    static Path plain(Path p) {
        return p.getFileSystem() == uringFs() ? Path.of(p.toString()) : p;
    }

    static Path write(Path p, String content) throws IOException {
        Files.writeString(plain(p), content);
        return p;
    }

    static String read(Path p) throws IOException {
        return Files.readString(plain(p));
    }

    static String outcome(Path root, Scenario s) {
        try {
            return "OK " + normalize(s.run(root), root.toString());
        } catch (Throwable t) {
            String m = t.getMessage();
            return "THROWS " + t.getClass().getName() + ": " + (m == null ? null : m.replace(root.toString(), "ROOT"));
        }
    }

    /** Values reduced to strings that mean the same on every provider. */
    static String normalize(Object o, String root) {
        if (o == null) return "null";
        if (o instanceof Path p) return p.toString().replace(root, "ROOT");
        if (o instanceof byte[] b) return Arrays.toString(b);
        if (o instanceof GroupPrincipal g) return "group:" + g.getName();
        if (o instanceof UserPrincipal u) return "user:" + u.getName();
        if (o instanceof FileTime t) return "time:" + t.toInstant();
        if (o instanceof Map<?, ?> m) {
            TreeMap<String, String> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), normalize(v, root)));
            return sorted.toString();
        }
        if (o instanceof Set<?> s) {
            TreeSet<String> sorted = new TreeSet<>();
            for (Object e : s) sorted.add(normalize(e, root));
            return sorted.toString();
        }
        if (o instanceof Collection<?> c) {
            List<String> l = new ArrayList<>();
            for (Object e : c) l.add(normalize(e, root));
            return l.toString();
        }
        if (o.getClass().getSimpleName().endsWith("FileKey")) return "fileKey:" + o;
        if (o instanceof Object[] a) return normalize(Arrays.asList(a), root);
        return o.getClass().getSimpleName() + ":" + o.toString().replace(root, "ROOT");
    }
}
