package io.uringfs.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.uringfs.fs.Differential.write;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attribute views on uring: against the default provider. Reads run on the very same files through
 * both providers (so even inode, device, times and file key must be equal); writes run as the same
 * scenario in two fresh roots and compare what the default provider then reads back.
 */
class AttributeViewsDifferentialTest {
    private static final List<Path> CLEANUP = new ArrayList<>();
    private static final LinkOption[] FOLLOW = {}, NOFOLLOW = {NOFOLLOW_LINKS};

    private static Path newRoot() throws IOException {
        Path p = Files.createTempDirectory(Path.of("/tmp"), "fsops-attr");
        CLEANUP.add(p);
        return p;
    }

    /** A tree with one of each: file (with xattrs and DOS flags), directory, link, dangling link, loop. */
    private static Path tree() throws IOException {
        Path r = newRoot();
        Path f = write(r.resolve("file"), "some content");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2003-04-05T06:07:08.123456789Z")));
        UserDefinedFileAttributeView user = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        user.write("color", StandardCharsets.UTF_8.encode("blue"));
        user.write("empty", ByteBuffer.allocate(0));
        Files.getFileAttributeView(f, DosFileAttributeView.class).setHidden(true);
        Files.createDirectory(r.resolve("dir"));
        Files.createSymbolicLink(r.resolve("link"), f);
        Files.createSymbolicLink(r.resolve("dangling"), r.resolve("none"));
        Files.createSymbolicLink(r.resolve("loopA"), r.resolve("loopB"));
        Files.createSymbolicLink(r.resolve("loopB"), r.resolve("loopA"));
        return r;
    }

    private static final String[] NAMES = {"file", "dir", "link", "dangling", "loopA", "missing", "file/below"};
    private static final String[] QUERIES = {
        "*", "basic:*", "posix:*", "unix:*", "owner:*", "dos:*", "user:*",
        "size,lastModifiedTime,isDirectory", "unix:ino,dev,rdev,nlink,mode,uid,gid,ctime,creationTime",
        "posix:permissions,owner,group", "user:color,empty", "user:color,nosuch", "dos:hidden,readonly,archive,system",
        "owner:owner", "owner:group", "basic:", "basic:bogus", "posix:mode", "nosuchview:*", ":size", "user:",
        "acl:*", "basic:size,*",
    };

    @TestFactory
    Stream<DynamicTest> readAttributesMapsOnTheSameFile() throws IOException {
        Path root = tree();
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : NAMES) {
            for (LinkOption[] options : List.of(FOLLOW, NOFOLLOW)) {
                for (String query : QUERIES) {
                    String label = name + " " + query + (options.length > 0 ? " NOFOLLOW_LINKS" : "");
                    tests.add(DynamicTest.dynamicTest(label, () -> assertEquals(
                            Differential.outcome(root, r -> Files.readAttributes(r.resolve(name), query, options)),
                            Differential.outcome(Differential.uring(root), r -> Files.readAttributes(r.resolve(name), query, options)),
                            label)));
                }
            }
        }
        return tests.stream();
    }

    private interface OtherAttributes extends BasicFileAttributes {}

    private static List<Object> basic(BasicFileAttributes a) {
        return List.of(a.size(), a.lastModifiedTime(), a.lastAccessTime(), a.creationTime(), a.isRegularFile(),
                a.isDirectory(), a.isSymbolicLink(), a.isOther(), a.fileKey());
    }

    @TestFactory
    Stream<DynamicTest> readAttributesByClassOnTheSameFile() throws IOException {
        Path root = tree();
        Map<String, Differential.Scenario> cases = new LinkedHashMap<>();
        for (String name : NAMES) {
            for (LinkOption[] o : List.of(FOLLOW, NOFOLLOW)) {
                String suffix = " " + name + (o.length > 0 ? " NOFOLLOW_LINKS" : "");
                cases.put("BasicFileAttributes" + suffix, r -> basic(Files.readAttributes(r.resolve(name), BasicFileAttributes.class, o)));
                cases.put("PosixFileAttributes" + suffix, r -> {
                    PosixFileAttributes a = Files.readAttributes(r.resolve(name), PosixFileAttributes.class, o);
                    return List.of(basic(a), a.permissions(), a.owner(), a.group(), a.owner().equals(a.owner()));
                });
                cases.put("DosFileAttributes" + suffix, r -> {
                    DosFileAttributes a = Files.readAttributes(r.resolve(name), DosFileAttributes.class, o);
                    return List.of(basic(a), a.isHidden(), a.isReadOnly(), a.isArchive(), a.isSystem());
                });
                cases.put("user list" + suffix, r -> Files.getFileAttributeView(r.resolve(name), UserDefinedFileAttributeView.class, o).list());
                cases.put("user size" + suffix, r -> Files.getFileAttributeView(r.resolve(name), UserDefinedFileAttributeView.class, o).size("color"));
                cases.put("owner" + suffix, r -> Files.getOwner(r.resolve(name), o));
            }
        }
        cases.put("unsupported attributes class", r -> Files.readAttributes(r.resolve("file"), OtherAttributes.class));
        cases.put("null attributes class", r -> Files.readAttributes(r.resolve("file"), (Class<BasicFileAttributes>) null));
        cases.put("null view class", r -> Files.getFileAttributeView(r.resolve("file"), (Class<BasicFileAttributeView>) null));
        cases.put("acl view is null", r -> String.valueOf(Files.getFileAttributeView(r.resolve("file"), AclFileAttributeView.class)));
        cases.put("view names", r -> List.of(Files.getFileAttributeView(r.resolve("file"), BasicFileAttributeView.class).name(),
                Files.getFileAttributeView(r.resolve("file"), PosixFileAttributeView.class).name(),
                Files.getFileAttributeView(r.resolve("file"), FileOwnerAttributeView.class).name(),
                Files.getFileAttributeView(r.resolve("file"), DosFileAttributeView.class).name(),
                Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).name()));
        cases.put("user read into a small buffer", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("color", ByteBuffer.allocate(2)));
        cases.put("user read into an empty buffer", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("color", ByteBuffer.allocate(0)));
        cases.put("user read empty value", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("empty", ByteBuffer.allocate(0)));
        cases.put("user read missing", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("nosuch", ByteBuffer.allocate(10)));
        cases.put("user read into a read-only buffer", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("color", ByteBuffer.allocate(10).asReadOnlyBuffer()));
        cases.put("user read direct", r -> { ByteBuffer b = ByteBuffer.allocateDirect(10); int n = Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).read("color", b); b.flip(); return List.of(n, StandardCharsets.UTF_8.decode(b).toString()); });
        cases.put("user name too long", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).size("x".repeat(251)));
        cases.put("user null name", r -> Files.getFileAttributeView(r.resolve("file"), UserDefinedFileAttributeView.class).size(null));
        cases.put("getAttribute", r -> List.of(Files.getAttribute(r.resolve("file"), "unix:nlink"), Files.getAttribute(r.resolve("file"), "size"),
                Files.getAttribute(r.resolve("link"), "isSymbolicLink", NOFOLLOW_LINKS)));
        List<DynamicTest> tests = new ArrayList<>();
        cases.forEach((label, s) -> tests.add(DynamicTest.dynamicTest(label, () -> assertEquals(
                Differential.outcome(root, s), Differential.outcome(Differential.uring(root), s), label))));
        return tests.stream();
    }

    // ---- writes: same scenario in two roots, read back through the default provider ----

    private static final Map<String, Differential.Scenario> WRITES = new LinkedHashMap<>();

    private static Object readBack(Path p, LinkOption... o) throws IOException {
        Map<String, Object> m = new java.util.TreeMap<>(Files.readAttributes(Differential.plain(p), "unix:*", o));
        for (String volatileKey : List.of("ino", "dev", "ctime", "fileKey", "creationTime")) m.remove(volatileKey);
        // an access time the scenario did not set is "now", different in each run
        if (((FileTime) m.get("lastAccessTime")).toInstant().isAfter(Instant.parse("2020-01-01T00:00:00Z"))) {
            m.put("lastAccessTime", "now");
        }
        return m;
    }

    static {
        FileTime nanos = FileTime.from(Instant.parse("2010-01-02T03:04:05.987654321Z"));
        WRITES.put("setLastModifiedTime nanoseconds", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos); return readBack(f); });
        WRITES.put("setTimes access only", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.getFileAttributeView(f, BasicFileAttributeView.class).setTimes(null, FileTime.fromMillis(12345), null); return readBack(f); });
        WRITES.put("setTimes all null", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.getFileAttributeView(f, BasicFileAttributeView.class).setTimes(null, null, FileTime.fromMillis(1)); return readBack(f); });
        WRITES.put("setTimes before the epoch with a fraction", r -> { Path f = write(r.resolve("f"), "x");
            Files.getFileAttributeView(f, BasicFileAttributeView.class).setTimes(FileTime.fromMillis(-1500), FileTime.fromMillis(-2000), null); return readBack(f); });
        WRITES.put("setTimes on a directory", r -> { Path d = Files.createDirectory(r.resolve("d")); Files.setLastModifiedTime(d, nanos); return readBack(d); });
        WRITES.put("setTimes NOFOLLOW_LINKS on a link", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Path l = Files.createSymbolicLink(r.resolve("l"), f);
            Files.getFileAttributeView(l, BasicFileAttributeView.class, NOFOLLOW_LINKS).setTimes(FileTime.fromMillis(5000), null, null);
            return List.of(readBack(f), Files.getLastModifiedTime(Differential.plain(l), NOFOLLOW_LINKS)); });
        WRITES.put("setTimes missing", r -> { Files.setLastModifiedTime(r.resolve("f"), nanos); return null; });
        WRITES.put("setAttribute lastAccessTime", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.setAttribute(f, "basic:lastAccessTime", FileTime.fromMillis(777)); return readBack(f); });
        WRITES.put("setAttribute creationTime (ignored)", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.setAttribute(f, "creationTime", FileTime.fromMillis(777)); return readBack(f); });
        WRITES.put("setAttribute unknown", r -> Files.setAttribute(write(r.resolve("f"), "x"), "basic:size", 3L));
        WRITES.put("setAttribute unknown view", r -> Files.setAttribute(write(r.resolve("f"), "x"), "zip:size", 3L));
        WRITES.put("setAttribute empty view", r -> Files.setAttribute(write(r.resolve("f"), "x"), ":size", 3L));
        WRITES.put("setAttribute wrong type", r -> Files.setAttribute(write(r.resolve("f"), "x"), "lastModifiedTime", 3L));
        WRITES.put("setPosixFilePermissions", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r-x-w---x")); return readBack(f); });
        WRITES.put("setAttribute unix:mode", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.setAttribute(f, "unix:mode", 0604); return readBack(f); });
        WRITES.put("setPermissions NOFOLLOW_LINKS on a link", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Path l = Files.createSymbolicLink(r.resolve("l"), f);
            Files.getFileAttributeView(l, PosixFileAttributeView.class, NOFOLLOW_LINKS).setPermissions(PosixFilePermissions.fromString("rw-------"));
            return List.of(readBack(f), Files.getPosixFilePermissions(Differential.plain(l), NOFOLLOW_LINKS)); });
        WRITES.put("setPermissions with null element", r -> { Path f = write(r.resolve("f"), "x");
            java.util.Set<java.nio.file.attribute.PosixFilePermission> s = new java.util.HashSet<>(); s.add(null);
            Files.setPosixFilePermissions(f, s); return null; });
        WRITES.put("setAttribute unix:uid and unix:gid", r -> { Path f = write(r.resolve("f"), "x"); Files.setLastModifiedTime(f, nanos);
            Files.setAttribute(f, "unix:uid", 1); Files.setAttribute(f, "unix:gid", 2);
            return List.of(readBack(f), Files.readAttributes(f, "posix:owner,group")); });
        WRITES.put("chown to an id without a name", r -> { Path f = write(r.resolve("f"), "x");
            Files.setAttribute(f, "unix:uid", 54321); return Files.readAttributes(f, "posix:owner,group"); });
        WRITES.put("setOwner own principal", r -> { Path f = write(r.resolve("f"), "x"); Path g = write(r.resolve("g"), "y");
            Files.setAttribute(g, "unix:uid", 2); Files.setOwner(f, Files.getOwner(g)); return Files.readAttributes(f, "unix:uid,owner"); });
        WRITES.put("setGroup own principal", r -> { Path f = write(r.resolve("f"), "x"); Path g = write(r.resolve("g"), "y");
            Files.setAttribute(g, "unix:gid", 3);
            Files.getFileAttributeView(f, PosixFileAttributeView.class).setGroup(Files.readAttributes(g, PosixFileAttributes.class).group());
            return Files.readAttributes(f, "unix:gid,group"); });
        WRITES.put("setOwner foreign principal", r -> Files.setOwner(write(r.resolve("f"), "x"), () -> "root"));
        WRITES.put("setOwner null", r -> Files.setOwner(write(r.resolve("f"), "x"), null));
        WRITES.put("setOwner a group", r -> { Path f = write(r.resolve("f"), "x");
            Files.setOwner(f, Files.readAttributes(f, PosixFileAttributes.class).group()); return null; });
        WRITES.put("owner:owner setAttribute", r -> { Path f = write(r.resolve("f"), "x"); Path g = write(r.resolve("g"), "y");
            Files.setAttribute(g, "unix:uid", 4); Files.setAttribute(f, "owner:owner", Files.getOwner(g)); return Files.getOwner(f); });
        WRITES.put("owner:bogus setAttribute", r -> Files.setAttribute(write(r.resolve("f"), "x"), "owner:bogus", 1));
        WRITES.put("user write, list, read, delete", r -> { Path f = write(r.resolve("f"), "x");
            UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
            int n = v.write("a", ByteBuffer.wrap(new byte[] {1, 2, 3}));
            Files.setAttribute(f, "user:b", new byte[] {9});
            Files.setAttribute(f, "user:c", ByteBuffer.wrap("xyz".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer direct = ByteBuffer.allocateDirect(4).put(new byte[] {7, 7, 7, 7}).flip();
            v.write("d", direct);
            List<Object> seen = new ArrayList<>(List.of(n, direct.position(), new java.util.TreeSet<>(v.list()), Files.readAttributes(f, "user:*")));
            v.delete("a");
            seen.add(new java.util.TreeSet<>(v.list()));
            return seen; });
        WRITES.put("user delete missing", r -> { Files.getFileAttributeView(write(r.resolve("f"), "x"), UserDefinedFileAttributeView.class).delete("nosuch"); return null; });
        WRITES.put("user write on missing file", r -> Files.getFileAttributeView(r.resolve("f"), UserDefinedFileAttributeView.class).write("a", ByteBuffer.allocate(1)));
        WRITES.put("user write through a dangling link NOFOLLOW", r -> Files.getFileAttributeView(
                Files.createSymbolicLink(r.resolve("l"), r.resolve("none")), UserDefinedFileAttributeView.class, NOFOLLOW_LINKS).write("a", ByteBuffer.allocate(1)));
        WRITES.put("dos flags", r -> { Path f = write(r.resolve("f"), "x");
            DosFileAttributeView v = Files.getFileAttributeView(f, DosFileAttributeView.class);
            v.setReadOnly(true); v.setArchive(true); Files.setAttribute(f, "dos:system", true); v.setReadOnly(false);
            UserDefinedFileAttributeView u = Files.getFileAttributeView(Differential.plain(f), UserDefinedFileAttributeView.class);
            ByteBuffer b = ByteBuffer.allocate(u.size("DOSATTRIB")); u.read("DOSATTRIB", b);
            return List.of(Files.readAttributes(f, "dos:hidden,readonly,archive,system"), java.util.Arrays.toString(b.array())); });
        WRITES.put("dos invalid stored value", r -> { Path f = write(r.resolve("f"), "x");
            Files.getFileAttributeView(Differential.plain(f), UserDefinedFileAttributeView.class).write("DOSATTRIB", StandardCharsets.UTF_8.encode("zz"));
            return Files.readAttributes(f, "dos:hidden"); });
        WRITES.put("dos setAttribute unknown", r -> Files.setAttribute(write(r.resolve("f"), "x"), "dos:bogus", true));
    }

    @TestFactory
    Stream<DynamicTest> writesGiveTheSameResult() {
        return WRITES.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> assertEquals(
                Differential.outcome(newRoot(), e.getValue()),
                Differential.outcome(Differential.uring(newRoot()), e.getValue()), e.getKey())));
    }

    @AfterAll
    static void cleanup() throws IOException {
        for (Path root : CLEANUP) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
