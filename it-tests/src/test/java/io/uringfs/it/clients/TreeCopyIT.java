package io.uringfs.it.clients;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.uringfs.it.clients.UringPaths.deleteTree;
import static io.uringfs.it.clients.UringPaths.snapshot;
import static io.uringfs.it.clients.UringPaths.uring;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real directory tree (the running JDK's conf, legal (relative symbolic links), include and
 * lib/server (a multi-megabyte library), and part of /usr/share/doc) copied recursively through
 * {@code uring:} paths and deleted again; every byte, permission, time and link target is compared,
 * through the default provider, with the source and with the same copy made by the default provider.
 */
class TreeCopyIT {
    @TempDir
    Path tmp;

    private static List<Path> sources() throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        List<Path> out = new ArrayList<>();
        for (String d : List.of("conf", "legal", "include", "lib/server")) {
            if (Files.isDirectory(home.resolve(d))) out.add(home.resolve(d));
        }
        Path doc = Path.of("/usr/share/doc");
        if (Files.isDirectory(doc)) {
            try (Stream<Path> s = Files.list(doc)) {
                s.filter(Files::isDirectory).sorted().limit(40).forEach(out::add);
            }
        }
        assertTrue(out.size() >= 3, "too few source trees: " + out);
        return out;
    }

    @Test
    void copyTreeWithinUringThenDelete() throws IOException {
        int files = 0;
        for (Path src : sources()) {
            String name = src.getFileName().toString();
            Path byDefault = tmp.resolve("default").resolve(name);
            Path byUring = tmp.resolve("uring").resolve(name);
            Files.createDirectories(byDefault.getParent());
            Files.createDirectories(byUring.getParent());

            copyTree(src, byDefault, true);
            copyTree(uring(src), uring(byUring), true);

            Map<String, String> expected = snapshot(src);
            assertEquals(expected, snapshot(byDefault), "the default provider's own copy of " + src);
            assertEquals(expected, snapshot(byUring), "copy of " + src + " through uring:");
            assertEquals(expected.keySet(), names(uring(byUring)), "walk through uring: of the copy of " + src);
            files += expected.size();

            deleteTree(uring(byUring));
            assertFalse(Files.exists(byUring, LinkOption.NOFOLLOW_LINKS), "deleted through uring:");
        }
        assertTrue(files > 300, "copied only " + files + " entries");
    }

    @Test
    void copyTreeAcrossProviders() throws IOException {
        for (Path src : sources()) {
            String name = src.getFileName().toString();
            Path intoUring = tmp.resolve("into-uring").resolve(name);
            Path backToDefault = tmp.resolve("back").resolve(name);
            Files.createDirectories(intoUring.getParent());
            Files.createDirectories(backToDefault.getParent());

            copyTree(src, uring(intoUring), false);          // file: -> uring:
            copyTree(uring(intoUring), backToDefault, false); // uring: -> file:

            // a copy to another provider carries the basic attributes (times) but not permissions
            Map<String, String> expected = withoutPermissions(snapshot(src));
            assertEquals(expected, withoutPermissions(snapshot(intoUring)), "file: -> uring: copy of " + src);
            assertEquals(expected, withoutPermissions(snapshot(backToDefault)), "uring: -> file: copy of " + src);
        }
    }

    /**
     * Copies {@code src} to {@code dst} (which must not exist) with COPY_ATTRIBUTES, links as
     * links, and directory times restored after their children are written.
     */
    private static void copyTree(Path src, Path dst, boolean sameProvider) throws IOException {
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            private Path target(Path p) {
                return dst.resolve(src.relativize(p).toString());
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                Files.copy(dir, target(dir), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Path t = target(file);
                if (a.isSymbolicLink() && !sameProvider) {
                    // the JDK cannot copy a link to another provider: recreate it
                    Files.createSymbolicLink(t, t.getFileSystem().getPath(Files.readSymbolicLink(file).toString()));
                } else {
                    Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.setLastModifiedTime(target(dir), Files.getLastModifiedTime(dir));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static java.util.Set<String> names(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    private static Map<String, String> withoutPermissions(Map<String, String> snapshot) {
        Map<String, String> out = new TreeMap<>();
        snapshot.forEach((k, v) -> out.put(k, v.replaceFirst("^(dir|file) [-rwxsStT]{9} ", "$1 ")));
        return out;
    }
}
