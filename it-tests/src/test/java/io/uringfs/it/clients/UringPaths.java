package io.uringfs.it.clients;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers shared by the real-client tests: uring views of real paths, and tree snapshots. */
final class UringPaths {
    private UringPaths() {}

    /** The same file as {@code real}, seen through the default {@code uring:} file system. */
    static Path uring(Path real) {
        return FileSystems.getFileSystem(URI.create("uring:///")).getPath(real.toAbsolutePath().toString());
    }

    /**
     * Everything below {@code root}, read through the default provider: relative name to type,
     * permissions, modification time, and size plus SHA-256 for files or target for links.
     */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what;
                if (a.isSymbolicLink()) {
                    what = "link -> " + Files.readSymbolicLink(p);
                } else {
                    String perms = PosixFilePermissions.toString(a.permissions());
                    what = a.isDirectory()
                            ? "dir " + perms + " " + a.lastModifiedTime()
                            : "file " + perms + " " + a.lastModifiedTime() + " " + a.size() + " " + sha256(p);
                }
                out.put(root.relativize(p).toString(), what);
            }
        }
        return out;
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Deletes a tree bottom-up through whatever provider {@code root} belongs to. */
    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
