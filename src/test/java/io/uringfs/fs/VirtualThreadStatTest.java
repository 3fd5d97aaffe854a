package io.uringfs.fs;

import io.uringfs.ring.LinuxAbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Virtual threads stat cached paths through an O_PATH + RESOLVE_CACHED open instead of the ring
 * (engine.Io#statx): the answers, and the exceptions, must still be the default provider's.
 */
class VirtualThreadStatTest {
    @TempDir Path dir;

    private static String describe(Path p, LinkOption... options) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, options);
            return "type=" + (a.isRegularFile() ? "file" : a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : "other")
                    + " size=" + a.size() + " perms=" + a.permissions() + " mtime=" + a.lastModifiedTime()
                    + " key=" + a.fileKey().toString().replaceAll(".*(ino=\\d+).*", "$1");
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage().replace(p.getParent().getParent().toString(), "<root>")
                    .replace(URI.create("uring:///").getPath(), "");
        }
    }

    @Test
    void statsOnVirtualThreadsMatchTheDefaultProvider() throws Exception {
        Files.writeString(dir.resolve("file"), "hello");
        Files.createDirectory(dir.resolve("dir"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(dir.resolve("loop"), Path.of("loop"));
        Files.createSymbolicLink(dir.resolve("dirlink"), Path.of("dir"));
        List<String> names = List.of("file", "dir", "link", "dangling", "loop", "dirlink", "missing",
                "file/below", "dir/", "link/", "dirlink/", "dir/../file", "missing/x");
        List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
        Thread t = Thread.ofVirtual().start(() -> {
            for (String name : names) {
                for (LinkOption[] o : new LinkOption[][] {{}, {LinkOption.NOFOLLOW_LINKS}}) {
                    Path def = Path.of(dir + "/" + name);
                    Path uring = Path.of(URI.create("uring://" + dir.toUri().getRawPath() + name));
                    expected.add(name + " " + o.length + ": " + describe(def, o).replace(dir.toString(), "<dir>"));
                    actual.add(name + " " + o.length + ": " + describe(uring, o).replace(dir.toString(), "<dir>"));
                }
            }
        });
        t.join();
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    @Test
    void cachedLookupsOpenWithoutTheRing() throws Exception {
        Files.writeString(dir.resolve("file"), "x");
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            int fd = io.uringfs.ring.Syscalls.openCached(LinuxAbi.AT_FDCWD,
                    arena.allocateFrom(dir.resolve("file").toString()), LinuxAbi.O_PATH | LinuxAbi.O_CLOEXEC);
            org.junit.jupiter.api.Assertions.assertTrue(fd >= 0, "openat2(RESOLVE_CACHED) on a just-written file: " + fd);
            io.uringfs.ring.Syscalls.close(fd);
        }
    }
}
