package io.uringfs.it.diff;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Snapshots and removal of directory trees, always through a provider that is not under test. */
final class Trees {
    private Trees() {}

    /**
     * One line per entry below {@code root}, sorted: relative name, type, and for files the size and
     * content (short printable content verbatim, else a digest), for links the target. With
     * {@code permissions}, the POSIX permissions of files and directories too.
     */
    static List<String> snapshot(Path root, boolean permissions) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.skip(1).sorted().toList()) {
                String name = root.relativize(p).toString();
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String perms = permissions && !a.isSymbolicLink()
                        ? " " + PosixFilePermissions.toString(
                                Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions())
                        : "";
                if (a.isSymbolicLink()) {
                    lines.add(name + " -> " + Files.readSymbolicLink(p).toString().replace(root.toString(), "<root>"));
                } else if (a.isDirectory()) {
                    lines.add(name + "/" + perms);
                } else {
                    lines.add(name + perms + " " + a.size() + " " + content(Files.readAllBytes(p)));
                }
            }
        }
        return lines;
    }

    private static String content(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (bytes.length <= 80 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n')) {
            return '"' + s.replace("\n", "\\n") + '"';
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Deletes {@code root} and everything below it without following links; missing is fine. */
    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (!(e instanceof NoSuchFileException)) Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
