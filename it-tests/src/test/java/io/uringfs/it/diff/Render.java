package io.uringfs.it.diff;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns what a scenario returned or threw into provider-independent text, so that two providers'
 * outcomes compare with {@code assertEquals}. The only things normalised away are those that differ
 * inherently between two runs in two directories: the root's name (replaced by {@code <root>}), inode
 * numbers (and the class of file keys, which is each provider's own), the random digits of temporary file names (replaced by {@code <n>}), and times the scenario did not set (which must be recent, and then print as
 * {@code <recent>}). Everything else, including paths that belong to another file system (marked
 * {@code FOREIGN}), shows up verbatim.
 */
final class Render {
    /** Times scenarios set explicitly; these must come back exactly. */
    static final FileTime T1 = FileTime.from(Instant.parse("2021-03-04T05:06:07.123456789Z"));
    static final FileTime T2 = FileTime.from(Instant.parse("2019-12-31T23:59:58.5Z"));

    private static final Pattern INO = Pattern.compile("ino=\\d+");
    /** The random part of temporary file names (an unsigned long): at least 10 digits. */
    private static final Pattern TEMP_NAME_DIGITS = Pattern.compile("\\d{10,}");

    private final Path root;
    private final String rootText;
    private final Instant since;
    private final boolean messages;

    /** @param messages whether exception messages are part of the text (else only their classes) */
    Render(Path root, Instant since, boolean messages) {
        this.root = root;
        this.rootText = root.toString();
        this.since = since;
        this.messages = messages;
    }

    /** A value a scenario returned, or a {@link Thrown} it recorded. */
    String value(Object o) {
        return switch (o) {
            case null -> "null";
            case Thrown t -> thrown(t.exception());
            case Path p -> (p.getFileSystem() == root.getFileSystem() ? "path:" : "FOREIGN path:") + text(p.toString());
            case String s -> '"' + text(s) + '"';
            case byte[] b -> "bytes" + Arrays.toString(b);
            case FileTime t -> time(t);
            case UserPrincipal u -> "principal(" + u.getName() + ")";
            case Map<?, ?> m -> map(m);
            case Set<?> s when !s.isEmpty() && s.iterator().next() instanceof PosixFilePermission ->
                    PosixFilePermissions.toString(s.stream().map(PosixFilePermission.class::cast)
                            .collect(Collectors.toSet()));
            case Set<?> s -> s.stream().map(this::value).sorted().collect(Collectors.joining(", ", "{", "}"));
            case Collection<?> c -> c.stream().map(this::value).collect(Collectors.joining(", ", "[", "]"));
            case Object[] a -> value(List.of(a));
            case Boolean b -> b.toString();
            case Number n -> n.getClass().getSimpleName() + ":" + n;
            case Enum<?> e -> e.name();
            default -> o.getClass().getSimpleName() + "(" + text(o.toString()) + ")";
        };
    }

    /** An exception: class, message (if compared) and, recursively, cause. */
    String thrown(Throwable t) {
        String s = t.getClass().getName()
                + (messages ? ": " + (t.getMessage() == null ? "null" : text(t.getMessage())) : "");
        return t.getCause() == null ? s : s + " / caused by " + thrown(t.getCause());
    }

    private String map(Map<?, ?> m) {
        Map<String, String> sorted = new TreeMap<>();
        m.forEach((k, v) -> sorted.put(String.valueOf(k), switch (String.valueOf(k)) {
            case "ino" -> "<ino>";
            // the key's class is each provider's own (the JDK's is internal); its text must agree
            case "fileKey" -> "fileKey" + INO.matcher(text(String.valueOf(v))).replaceAll("ino=<ino>");
            default -> value(v);
        }));
        return sorted.toString();
    }

    private String time(FileTime t) {
        if (t.equals(T1) || t.equals(T2)) return t.toString();
        Instant i = t.toInstant();
        boolean recent = !i.isBefore(since.minus(Duration.ofSeconds(5))) && !i.isAfter(Instant.now().plusSeconds(5));
        return recent ? "<recent>" : "time:" + t;
    }

    /** Text with the root and random temp-name digits normalised (also used for tree lines). */
    String text(String s) {
        return TEMP_NAME_DIGITS.matcher(s.replace(rootText, "<root>")).replaceAll("<n>");
    }
}
