package io.uringfs.fs;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs every {@link Path} method on paths of one file system and records each outcome as a string
 * (the result's {@code toString()}, or the exception's class and message), so that two providers can
 * be compared entry by entry. Outcomes are keyed by a description of the call.
 */
final class PathOps {
    private PathOps() {}

    /** The outcome of a call: its result as a string, or "!" + exception class + ": " + message. */
    static String outcome(Callable<?> call) {
        try {
            Object r = call.call();
            if (r instanceof Iterable<?> it && !(r instanceof Path)) {
                List<String> parts = new ArrayList<>();
                for (Object o : it) parts.add(String.valueOf(o));
                return parts.toString();
            }
            if (r instanceof Integer i && i != 0 && callIsCompare.get()) return Integer.toString(Integer.signum(i));
            return String.valueOf(r);
        } catch (Exception e) {
            return "!" + e.getClass().getName() + ": " + e.getMessage();
        } finally {
            callIsCompare.set(false);
        }
    }

    private static final ThreadLocal<Boolean> callIsCompare = ThreadLocal.withInitial(() -> false);

    private static String compare(Callable<Integer> call) {
        callIsCompare.set(true);
        return outcome(call);
    }

    /**
     * Every single-path operation on {@code fs.getPath(s)}.
     *
     * @param filesystemDependent include operations that depend on the default directory and on
     *                            the real files (toAbsolutePath, toUri)
     */
    static Map<String, String> single(FileSystem fs, String s, boolean filesystemDependent) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("getPath", outcome(() -> fs.getPath(s)));
        Path p;
        try {
            p = fs.getPath(s);
        } catch (RuntimeException e) {
            return out;
        }
        out.put("isAbsolute", outcome(p::isAbsolute));
        out.put("getRoot", outcome(p::getRoot));
        out.put("getFileName", outcome(p::getFileName));
        out.put("getParent", outcome(p::getParent));
        out.put("getNameCount", outcome(p::getNameCount));
        int n = p.getNameCount();
        for (int i = -1; i <= n; i++) {
            int k = i;
            out.put("getName(" + i + ")", outcome(() -> p.getName(k)));
            for (int j = i - 1; j <= n + 1; j++) {
                int l = j;
                out.put("subpath(" + i + "," + j + ")", outcome(() -> p.subpath(k, l)));
            }
        }
        out.put("iterator", outcome(() -> (Iterable<Path>) p::iterator));
        out.put("normalize", outcome(p::normalize));
        out.put("normalize.getNameCount", outcome(() -> p.normalize().getNameCount()));
        out.put("getParent.getNameCount", outcome(() -> p.getParent() == null ? -1 : p.getParent().getNameCount()));
        out.put("getFileName.isAbsolute", outcome(() -> p.getFileName() == null ? null : p.getFileName().isAbsolute()));
        out.put("equals(self)", outcome(() -> p.equals(fs.getPath(s))));
        out.put("compareTo(self)", compare(() -> p.compareTo(fs.getPath(s))));
        out.put("hashCode==self", outcome(() -> p.hashCode() == fs.getPath(s).hashCode()));
        out.put("startsWith(getRoot)", outcome(() -> p.getRoot() != null && p.startsWith(p.getRoot())));
        out.put("resolve(null)", outcome(() -> p.resolve((Path) null)));
        out.put("startsWith(null)", outcome(() -> p.startsWith((Path) null)));
        out.put("endsWith(null)", outcome(() -> p.endsWith((Path) null)));
        if (filesystemDependent) {
            out.put("toAbsolutePath", outcome(p::toAbsolutePath));
            out.put("toAbsolutePath.normalize", outcome(() -> p.toAbsolutePath().normalize()));
            out.put("toUri", outcome(() -> schemeless(p.toUri())));
        }
        return out;
    }

    /** Every operation combining {@code fs.getPath(s)} and {@code fs.getPath(t)}. */
    static Map<String, String> pair(FileSystem fs, String s, String t) {
        Map<String, String> out = new LinkedHashMap<>();
        Path p, q;
        try {
            p = fs.getPath(s);
            q = fs.getPath(t);
        } catch (RuntimeException e) {
            out.put("getPath", outcome(() -> { fs.getPath(s); return fs.getPath(t); }));
            return out;
        }
        out.put("resolve", outcome(() -> p.resolve(q)));
        out.put("resolve(String)", outcome(() -> p.resolve(t)));
        out.put("resolve(q,p,q)", outcome(() -> p.resolve(q, p, q)));
        out.put("resolve.resolve.resolve", outcome(() -> p.resolve(q).resolve(p).resolve(q)));
        out.put("resolveSibling", outcome(() -> p.resolveSibling(q)));
        out.put("resolveSibling(String)", outcome(() -> p.resolveSibling(t)));
        out.put("relativize", outcome(() -> p.relativize(q)));
        out.put("relativize.roundtrip", outcome(() -> p.resolve(p.relativize(q)).normalize()));
        out.put("startsWith", outcome(() -> p.startsWith(q)));
        out.put("startsWith(String)", outcome(() -> p.startsWith(t)));
        out.put("endsWith", outcome(() -> p.endsWith(q)));
        out.put("endsWith(String)", outcome(() -> p.endsWith(t)));
        out.put("compareTo", compare(() -> p.compareTo(q)));
        out.put("equals", outcome(() -> p.equals(q)));
        out.put("hashCode==", outcome(() -> p.hashCode() == q.hashCode()));
        out.put("getPath(s,t)", outcome(() -> fs.getPath(s, t)));
        out.put("getPath(s,t,s)", outcome(() -> fs.getPath(s, t, s)));
        return out;
    }

    /** The URI prefix of a uring file system's paths. */
    static String prefixOf(UringFileSystem fs) {
        return fs.name() == null ? "uring:///" : "uring://" + fs.name() + "/";
    }

    /** A URI without its scheme, so that file: and uring: URIs compare. */
    static String schemeless(URI uri) {
        String s = uri.toString();
        return s.substring(s.indexOf(':') + 1);
    }
}
