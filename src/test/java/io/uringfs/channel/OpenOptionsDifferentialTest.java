package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every subset-sample of open options on every kind of target (missing, file, directory, symlink,
 * dangling symlink, "."), opened by the default provider and by ChannelFactory: same outcome
 * (exception class and message, or the same access modes and resulting content).
 */
class OpenOptionsDifferentialTest {
    @TempDir
    Path dir;

    private static final OpenOption[] ALL = {
            StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE, StandardOpenOption.SPARSE, StandardOpenOption.SYNC,
            StandardOpenOption.DSYNC, LinkOption.NOFOLLOW_LINKS, TestIo.DIRECT};

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o, FileAttribute<?>... a) throws Exception;
    }

    private String outcome(Opener opener, Path p, Set<OpenOption> opts, FileAttribute<?>... attrs) {
        try (FileChannel ch = opener.open(p, opts, attrs)) {
            StringBuilder sb = new StringBuilder("opened");
            try {
                sb.append(" size=").append(ch.size());
            } catch (Exception e) {
                sb.append(" size:").append(e.getClass().getSimpleName());
            }
            try {
                sb.append(" write=").append(ch.write(ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).limit(4096)));
            } catch (Exception e) {
                sb.append(" write:").append(e.getClass().getSimpleName()).append(':').append(e.getMessage());
            }
            try {
                sb.append(" read=").append(ch.read(ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).limit(4096), 0));
            } catch (Exception e) {
                sb.append(" read:").append(e.getClass().getSimpleName()).append(':').append(e.getMessage());
            }
            return sb.toString();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private void reset(Path root) throws Exception {
        if (Files.exists(root)) {
            try (var s = Files.walk(root)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
        Files.createDirectories(root.resolve("dir"));
        Files.write(root.resolve("file"), new byte[8192]);
        Files.createSymbolicLink(root.resolve("link"), root.resolve("file"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nowhere"));
    }

    @Test
    void optionCombinationsMatchDefaultProvider() throws Exception {
        String[] targets = {"missing", "file", "dir", "link", "dangling", "dir/."};
        java.util.Random rnd = new java.util.Random(7);
        List<Set<OpenOption>> sets = new ArrayList<>();
        for (OpenOption o : ALL) sets.add(Set.of(o));
        for (int i = 0; i < 250; i++) {
            Set<OpenOption> s = new HashSet<>();
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) s.add(ALL[rnd.nextInt(ALL.length)]);
            sets.add(s);
        }
        sets.add(Set.of());
        int compared = 0;
        for (Set<OpenOption> opts : sets) {
            for (String t : targets) {
                Path rj = dir.resolve("j"), ru = dir.resolve("u");
                reset(rj);
                reset(ru);
                String j = outcome((p, o, a) -> FileChannel.open(p, o, a), rj.resolve(t), opts);
                String u = outcome((p, o, a) -> TestIo.open(p, o, a), ru.resolve(t), opts).replace(ru.toString(), rj.toString());
                assertEquals(j, u, "options " + opts + " on " + t);
                assertEquals(listing(rj), listing(ru), "resulting files, options " + opts + " on " + t);
                compared++;
            }
        }
        assertEquals(sets.size() * targets.length, compared);
    }

    private static List<String> listing(Path root) throws Exception {
        try (var s = Files.walk(root)) {
            return s.map(p -> root.relativize(p) + ":" + (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p.toFile().length() : -1))
                    .sorted().toList();
        }
    }

    @Test
    void attributesAndUnsupportedOptions() throws Exception {
        Path pj = dir.resolve("aj"), pu = dir.resolve("au");
        FileAttribute<?> perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----"));
        FileAttribute<?> bogus = new FileAttribute<String>() {
            public String name() { return "basic:lastModifiedTime"; }
            public String value() { return "x"; }
        };
        Set<OpenOption> create = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        assertEquals(outcome((p, o, a) -> FileChannel.open(p, o, a), pj, create, perms),
                outcome((p, o, a) -> TestIo.open(p, o, a), pu, create, perms));
        assertEquals(Files.getPosixFilePermissions(pj), Files.getPosixFilePermissions(pu));
        assertEquals(outcome((p, o, a) -> FileChannel.open(p, o, a), pj, create, bogus),
                outcome((p, o, a) -> TestIo.open(p, o, a), pu, create, bogus));
        OpenOption weird = new OpenOption() {
            public String toString() { return "WEIRD"; }
        };
        Set<OpenOption> w = Set.of(weird);
        assertEquals(outcome((p, o, a) -> FileChannel.open(p, o, a), pj, w),
                outcome((p, o, a) -> TestIo.open(p, o, a), pu, w).replace(pu.toString(), pj.toString()));
    }
}
