package io.uringfs.it.diff;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channels;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.uringfs.it.diff.Render.T1;
import static io.uringfs.it.diff.Render.T2;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.COPY_ATTRIBUTES;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.SYNC;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * THE table of differential scenarios. Hand-written rows cover each operation and its error cases;
 * generated rows cover the option matrices (open options of channels and streams, copy and move
 * options against every kind of source and target). Each row is run by {@link DifferentialIT}.
 */
final class Scenarios {
    private Scenarios() {}

    private static final String JIMFS_UNIX_VIEW = "jimfs's unix view synthesises uid, gid, dev, ino, mode and rdev";
    private static final String JIMFS_OWNER = "jimfs's owner and group are the synthetic principals 'user' and 'group'";
    private static final String JIMFS_NO_PERMS = "jimfs does not enforce permissions, and root bypasses them anyway: "
            + "only the real kernel decides";
    private static final String JIMFS_STORE = "jimfs has its own in-memory FileStore";
    private static final String JIMFS_OPTIONS = "jimfs checks open options itself: it rejects options the JDK "
            + "ignores, throws UnsupportedOperationException where the JDK throws IllegalArgumentException, and "
            + "accepts APPEND with TRUNCATE_EXISTING";
    private static final String JIMFS_ATOMIC = "jimfs's ATOMIC_MOVE is not rename(2): it replaces directories and "
            + "reports other errors";
    private static final String JIMFS_LOOP = "jimfs reports ELOOP and EINVAL as a plain IOException";
    private static final String JIMFS_TEMP_PERMS = "the JDK's Files.createTempFile asks for owner-only permissions only "
            + "on the default file system (TempFileHelper; uring: does the same itself); jimfs gives its rw-r--r--";
    private static final String JIMFS_MSG = "jimfs's FileSystemException reasons are its own wording, not strerror";
    private static final String JIMFS_DOS_HIDDEN = "with the dos view, jimfs's isHidden reads the dos:hidden attribute "
            + "(Windows' rule: NoSuchFileException for a missing file, false for a dot name); the JDK on Linux looks "
            + "for a leading dot only";

    /** Kinds of copy/move source and target; declared before ALL, which needs them. */
    private static final List<String> SOURCES = List.of("file", "dir", "link-to-file", "dangling-link", "missing");
    private static final List<String> TARGETS = List.of("absent", "file", "empty-dir", "full-dir", "same");

    static final List<Scenario> ALL = build();

    private static List<Scenario> build() {
        List<Scenario> t = new ArrayList<>();
        createAndDelete(t);
        readAndWrite(t);
        streams(t);
        channels(t);
        copyAndMove(t);
        links(t);
        predicates(t);
        attributes(t);
        listing(t);
        misc(t);
        // row names identify tests and reference outcomes: they must be unique
        if (t.stream().map(Scenario::name).collect(Collectors.toSet()).size() != t.size()) {
            throw new IllegalStateException("duplicate scenario names");
        }
        return List.copyOf(t);
    }

    // ---------------------------------------------------------------- create and delete

    private static void createAndDelete(List<Scenario> t) {
        t.add(Scenario.of("createDirectory", r -> Files.createDirectory(r.resolve("a"))));
        t.add(Scenario.of("createDirectory existing dir", r -> Files.createDirectory(dir(r, "a"))));
        t.add(Scenario.of("createDirectory existing file", r -> Files.createDirectory(file(r, "a", "x"))));
        t.add(Scenario.of("createDirectory missing parent", r -> Files.createDirectory(r.resolve("m/a"))));
        t.add(Scenario.of("createDirectory parent is a file", r -> Files.createDirectory(file(r, "f", "x").resolve("a")))
                .notOnJimfs("jimfs reports ENOTDIR as NoSuchFileException"));
        t.add(Scenario.of("createDirectory with permissions", r -> Files.getPosixFilePermissions(
                Files.createDirectory(r.resolve("a"), perms("rwx--x---")))));
        t.add(Scenario.of("createDirectory with dos attribute", r -> Files.createDirectory(r.resolve("a"),
                attr("dos:hidden", true))).jimfsMessagesDiffer("jimfs names the attribute differently"));
        t.add(Scenario.of("createDirectories nested", r -> Files.createDirectories(r.resolve("a/b/c"))));
        t.add(Scenario.of("createDirectories existing", r -> Files.createDirectories(dir(r, "a/b"))));
        t.add(Scenario.of("createDirectories relative with dots", r -> Files.createDirectories(r.resolve("a/./b/../c")))
                .notOnJimfs("jimfs resolves '..' lexically; the kernel resolves it after 'b' exists"));
        t.add(Scenario.of("createDirectories over a file", r -> Files.createDirectories(file(r, "a", "x"))));
        t.add(Scenario.of("createDirectories through a file", r -> Files.createDirectories(file(r, "a", "x").resolve("b/c")))
                .notOnJimfs("jimfs reports ENOTDIR as NoSuchFileException"));
        t.add(Scenario.of("createDirectories through a dir symlink", r -> {
            dir(r, "real");
            link(r, "l", "real");
            return Files.createDirectories(r.resolve("l/x/y"));
        }));
        t.add(Scenario.of("createDirectories with permissions", r -> Files.getPosixFilePermissions(
                Files.createDirectories(r.resolve("a/b"), perms("rwxr-x---")))));
        t.add(Scenario.of("createFile", r -> Files.createFile(r.resolve("f"))));
        t.add(Scenario.of("createFile existing", r -> Files.createFile(file(r, "f", "x"))));
        t.add(Scenario.of("createFile existing dir", r -> Files.createFile(dir(r, "d"))));
        t.add(Scenario.of("createFile missing parent", r -> Files.createFile(r.resolve("m/f"))));
        t.add(Scenario.of("createFile with permissions", r -> Files.getPosixFilePermissions(
                Files.createFile(r.resolve("f"), perms("rw-r-----")))));
        t.add(Scenario.of("createFile permissions masked by umask", r -> Files.getPosixFilePermissions(
                Files.createFile(r.resolve("f"), perms("rwxrwxrwx"))))
                .notOnJimfs("jimfs has no umask"));
        t.add(Scenario.of("createFile unsupported attribute view", r -> Files.createFile(r.resolve("f"),
                attr("acl:acl", List.of()))).jimfsMessagesDiffer("jimfs names the attribute differently"));
        t.add(Scenario.of("createFile attribute of wrong type", r -> Files.createFile(r.resolve("f"),
                attr("posix:permissions", "rwx")))
                .notOnJimfs("jimfs throws UnsupportedOperationException, the JDK ClassCastException"));
        t.add(Scenario.of("createFile name too long", r -> Files.createFile(r.resolve("n".repeat(300))))
                .notOnJimfs("jimfs has no NAME_MAX"));
        t.add(Scenario.of("delete file", r -> {
            Files.delete(file(r, "f", "x"));
            return Files.exists(r.resolve("f"));
        }));
        t.add(Scenario.of("delete empty dir", r -> {
            Files.delete(dir(r, "d"));
            return Files.exists(r.resolve("d"));
        }));
        t.add(Scenario.of("delete non-empty dir", r -> {
            file(dir(r, "d"), "f", "x");
            Files.delete(r.resolve("d"));
            return null;
        }));
        t.add(Scenario.of("delete missing", r -> {
            Files.delete(r.resolve("m"));
            return null;
        }));
        t.add(Scenario.of("delete missing parent", r -> {
            Files.delete(r.resolve("m/f"));
            return null;
        }));
        t.add(Scenario.of("delete symlink keeps target", r -> {
            file(r, "f", "x");
            Files.delete(link(r, "l", "f"));
            return Files.exists(r.resolve("f"));
        }));
        t.add(Scenario.of("delete dangling symlink", r -> {
            Files.delete(link(r, "l", "nowhere"));
            return Files.exists(r.resolve("l"), NOFOLLOW_LINKS);
        }));
        t.add(Scenario.of("delete symlink to dir", r -> {
            dir(r, "d");
            Files.delete(link(r, "l", "d"));
            return Files.isDirectory(r.resolve("d"));
        }));
        t.add(Scenario.of("delete through a file", r -> {
            Files.delete(file(r, "f", "x").resolve("g"));
            return null;
        })
                .notOnJimfs("jimfs reports ENOTDIR as NoSuchFileException"));
        t.add(Scenario.of("deleteIfExists file", r -> Files.deleteIfExists(file(r, "f", "x"))));
        t.add(Scenario.of("deleteIfExists missing", r -> Files.deleteIfExists(r.resolve("m"))));
        t.add(Scenario.of("deleteIfExists missing parent", r -> Files.deleteIfExists(r.resolve("m/f"))));
        t.add(Scenario.of("deleteIfExists non-empty dir", r -> {
            file(dir(r, "d"), "f", "x");
            return Files.deleteIfExists(r.resolve("d"));
        }));
        t.add(Scenario.of("deleteIfExists dangling symlink", r -> Files.deleteIfExists(link(r, "l", "nowhere"))));
    }

    // ---------------------------------------------------------------- read and write

    private static void readAndWrite(List<Scenario> t) {
        t.add(Scenario.of("writeString then readString", r -> Files.readString(Files.writeString(r.resolve("f"), "h\u00e9llo\n"))));
        t.add(Scenario.of("write bytes then readAllBytes", r -> Files.readAllBytes(Files.write(r.resolve("f"), new byte[] {0, 1, -1, 127}))));
        t.add(Scenario.of("write lines then readAllLines", r -> Files.readAllLines(Files.write(r.resolve("f"), List.of("a", "", "c")))));
        t.add(Scenario.of("readAllLines mixed separators", r -> Files.readAllLines(file(r, "f", "a\r\nb\rc\nd"))));
        t.add(Scenario.of("lines stream", r -> {
            try (Stream<String> s = Files.lines(file(r, "f", "x\ny\nz"))) {
                return s.toList();
            }
        }));
        t.add(Scenario.of("write large then read", r -> {
            byte[] data = pattern(3 * 1024 * 1024 + 17);
            return Files.readAllBytes(Files.write(r.resolve("f"), data)).length;
        }));
        t.add(Scenario.of("writeString APPEND", r -> Files.readString(
                Files.writeString(file(r, "f", "ab"), "cd", APPEND))));
        t.add(Scenario.of("writeString APPEND missing", r -> Files.writeString(r.resolve("f"), "cd", APPEND)));
        t.add(Scenario.of("writeString CREATE APPEND missing", r -> Files.readString(
                Files.writeString(r.resolve("f"), "cd", CREATE, APPEND))));
        t.add(Scenario.of("writeString CREATE_NEW existing", r -> Files.writeString(file(r, "f", "ab"), "cd", CREATE_NEW)));
        t.add(Scenario.of("writeString WRITE existing overwrites prefix", r -> Files.readString(
                Files.writeString(file(r, "f", "abcdef"), "XY", WRITE))));
        t.add(Scenario.of("writeString truncates", r -> Files.readString(Files.writeString(file(r, "f", "abcdef"), "XY"))));
        t.add(Scenario.of("writeString READ option", r -> Files.writeString(r.resolve("f"), "x", READ))
                .notOnJimfs(JIMFS_OPTIONS));
        t.add(Scenario.of("writeString unmappable", r -> Files.writeString(r.resolve("f"), "\u00e9", StandardCharsets.US_ASCII)));
        t.add(Scenario.of("writeString missing parent", r -> Files.writeString(r.resolve("m/f"), "x")));
        t.add(Scenario.of("writeString to a directory", r -> Files.writeString(dir(r, "d"), "x"))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("readString malformed", r -> Files.readString(Files.write(r.resolve("f"), new byte[] {'a', (byte) 0xC3}))));
        t.add(Scenario.of("readString latin1", r -> Files.readString(Files.write(r.resolve("f"), new byte[] {'a', (byte) 0xE9}),
                StandardCharsets.ISO_8859_1)));
        t.add(Scenario.of("readString missing", r -> Files.readString(r.resolve("m"))));
        t.add(Scenario.of("readAllBytes directory", r -> Files.readAllBytes(dir(r, "d")))
                .notOnJimfs("jimfs refuses to open a directory; the JDK opens it and the read fails"));
        t.add(Scenario.of("readAllBytes empty", r -> Files.readAllBytes(file(r, "f", ""))));
        t.add(Scenario.of("readAllBytes through symlink", r -> Files.readString(link(r, "l", file(r, "f", "via").getFileName().toString()))));
        t.add(Scenario.of("readAllBytes dangling symlink", r -> Files.readAllBytes(link(r, "l", "nowhere"))));
        t.add(Scenario.of("newBufferedWriter and newBufferedReader", r -> {
            Path f = r.resolve("f");
            try (BufferedWriter w = Files.newBufferedWriter(f)) {
                w.write("one");
                w.newLine();
                w.write("two");
            }
            try (BufferedReader in = Files.newBufferedReader(f)) {
                return in.lines().toList();
            }
        }));
        t.add(Scenario.of("newBufferedReader missing", r -> Files.newBufferedReader(r.resolve("m"))));
    }

    // ---------------------------------------------------------------- streams

    private static void streams(List<Scenario> t) {
        for (Set<StandardOpenOption> opts : subsets(READ, WRITE, APPEND, CREATE, TRUNCATE_EXISTING)) {
            for (String kind : List.of("existing", "missing")) {
                Scenario s = Scenario.of("newInputStream " + opts + " " + kind, r -> {
                    Path p = kind.equals("existing") ? file(r, "f", "hello") : r.resolve("f");
                    try (InputStream in = Files.newInputStream(p, opts.toArray(OpenOption[]::new))) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                });
                t.add(opts.contains(CREATE) || opts.contains(TRUNCATE_EXISTING) ? s.notOnJimfs(JIMFS_OPTIONS) : s);
            }
        }
        for (Set<StandardOpenOption> opts : subsets(READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING)) {
            for (String kind : List.of("existing", "missing")) {
                Scenario s = Scenario.of("newOutputStream " + opts + " " + kind, r -> {
                    Path p = kind.equals("existing") ? file(r, "f", "hello") : r.resolve("f");
                    try (OutputStream out = Files.newOutputStream(p, opts.toArray(OpenOption[]::new))) {
                        out.write("AB".getBytes(StandardCharsets.UTF_8));
                        out.write('C');
                    }
                    return Files.readString(p);
                });
                t.add(opts.contains(READ) || opts.contains(APPEND) && opts.contains(TRUNCATE_EXISTING)
                        ? s.notOnJimfs(JIMFS_OPTIONS) : s);
            }
        }
        t.add(Scenario.of("newInputStream directory", r -> {
            try (InputStream in = Files.newInputStream(dir(r, "d"))) {
                return attempt(in::read);
            }
        })
                .notOnJimfs("jimfs refuses to open a directory; the JDK opens it and the read fails"));
        t.add(Scenario.of("newInputStream skip available transferTo", r -> {
            try (InputStream in = Files.newInputStream(file(r, "f", "0123456789"))) {
                List<Object> out = new ArrayList<>();
                out.add(in.skip(3));
                out.add(in.available());
                out.add(in.read());
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                out.add(in.transferTo(sink));
                out.add(sink.toString(StandardCharsets.UTF_8));
                out.add(in.read());
                out.add(in.read(new byte[4]));
                out.add(in.skip(5));
                return out;
            }
        }));
        t.add(Scenario.of("newInputStream read after close", r -> {
            InputStream in = Files.newInputStream(file(r, "f", "x"));
            in.close();
            in.close();
            return attempt(in::read);
        })
                .notOnJimfs("jimfs's closed streams throw IOException; the JDK's streams over a channel ClosedChannelException"));
        t.add(Scenario.of("newOutputStream write after close", r -> {
            OutputStream out = Files.newOutputStream(r.resolve("f"));
            out.close();
            return attempt(() -> {
                out.write(1);
                return null;
            });
        })
                .notOnJimfs("jimfs's closed streams throw IOException; the JDK's streams over a channel ClosedChannelException"));
        t.add(Scenario.of("newOutputStream DELETE_ON_CLOSE", r -> {
            Path p = r.resolve("f");
            try (OutputStream out = Files.newOutputStream(p, CREATE, WRITE, DELETE_ON_CLOSE)) {
                out.write(1);
                return Files.exists(p);
            }
        })
                .notOnJimfs("the JDK on Unix unlinks a DELETE_ON_CLOSE file right after opening it; jimfs on close"));
        t.add(Scenario.of("newOutputStream SYNC DSYNC", r -> {
            Path p = r.resolve("f");
            try (OutputStream out = Files.newOutputStream(p, CREATE, WRITE, SYNC, DSYNC)) {
                out.write(new byte[] {1, 2, 3});
            }
            return Files.size(p);
        }));
        t.add(Scenario.of("newOutputStream to directory", r -> Files.newOutputStream(dir(r, "d")))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("newOutputStream NOFOLLOW_LINKS on symlink", r -> {
            file(r, "f", "x");
            return Files.newOutputStream(link(r, "l", "f"), WRITE, LinkOption.NOFOLLOW_LINKS);
        })
                .notOnJimfs(JIMFS_LOOP));
        t.add(Scenario.of("copy InputStream to new file", r -> Files.copy(
                new ByteArrayInputStream("data".getBytes(StandardCharsets.UTF_8)), r.resolve("f"))));
        t.add(Scenario.of("copy InputStream to existing", r -> Files.copy(
                new ByteArrayInputStream(new byte[1]), file(r, "f", "x"))));
        t.add(Scenario.of("copy InputStream REPLACE_EXISTING", r -> Files.copy(
                new ByteArrayInputStream("new".getBytes(StandardCharsets.UTF_8)), file(r, "f", "old"), REPLACE_EXISTING)));
        t.add(Scenario.of("copy InputStream bad option", r -> Files.copy(
                new ByteArrayInputStream(new byte[1]), r.resolve("f"), COPY_ATTRIBUTES)));
        t.add(Scenario.of("copy file to OutputStream", r -> {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            long n = Files.copy(file(r, "f", "payload"), sink);
            return n + ":" + sink.toString(StandardCharsets.UTF_8);
        }));
        t.add(Scenario.of("copy missing file to OutputStream", r -> Files.copy(r.resolve("m"), new ByteArrayOutputStream())));
    }

    // ---------------------------------------------------------------- byte channels

    private static void channels(List<Scenario> t) {
        for (Set<StandardOpenOption> opts : subsets(READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING)) {
            for (String kind : List.of("existing", "missing", "directory")) {
                Scenario s = Scenario.of("newByteChannel " + opts + " " + kind, r -> {
                    Path p = switch (kind) {
                        case "existing" -> file(r, "f", "hello");
                        case "directory" -> dir(r, "f");
                        default -> r.resolve("f");
                    };
                    try (SeekableByteChannel ch = Files.newByteChannel(p, opts)) {
                        return exercise(ch);
                    }
                });
                if (kind.equals("directory")) {
                    s = s.notOnJimfs("jimfs cannot open a directory as a channel");
                } else if (opts.contains(APPEND) && (opts.contains(READ) || opts.contains(TRUNCATE_EXISTING))) {
                    s = s.notOnJimfs(JIMFS_OPTIONS);
                }
                t.add(s);
            }
        }
        t.add(Scenario.of("newByteChannel DELETE_ON_CLOSE", r -> {
            Path p = file(r, "f", "gone");
            try (SeekableByteChannel ch = Files.newByteChannel(p, READ, DELETE_ON_CLOSE)) {
                return List.of(Files.exists(p), exercise(ch));
            }
        })
                .notOnJimfs("the JDK on Unix unlinks a DELETE_ON_CLOSE file right after opening it; jimfs on close"));
        t.add(Scenario.of("newByteChannel SPARSE CREATE_NEW", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(r.resolve("f"), CREATE_NEW, WRITE, SPARSE)) {
                ch.position(1 << 20);
                ch.write(ByteBuffer.wrap(new byte[] {9}));
                return ch.size();
            }
        }));
        t.add(Scenario.of("newByteChannel SYNC DSYNC", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(r.resolve("f"), CREATE, WRITE, READ, SYNC, DSYNC)) {
                return exercise(ch);
            }
        }));
        t.add(Scenario.of("newByteChannel NOFOLLOW_LINKS on symlink", r -> {
            file(r, "f", "x");
            return Files.newByteChannel(link(r, "l", "f"), Set.of(READ, NOFOLLOW_LINKS));
        })
                .notOnJimfs(JIMFS_LOOP));
        t.add(Scenario.of("newByteChannel NOFOLLOW_LINKS on file", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(file(r, "f", "abc"), Set.of(READ, NOFOLLOW_LINKS))) {
                return exercise(ch);
            }
        }));
        t.add(Scenario.of("newByteChannel CREATE with permissions", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(r.resolve("f"), Set.of(CREATE, WRITE), perms("rw-------"))) {
                return Files.getPosixFilePermissions(r.resolve("f"));
            }
        }));
        t.add(Scenario.of("newByteChannel CREATE permissions ignored for existing", r -> {
            Path p = file(r, "f", "x");
            try (SeekableByteChannel ch = Files.newByteChannel(p, Set.of(CREATE, WRITE), perms("rwx------"))) {
                return Files.getPosixFilePermissions(p);
            }
        }));
        t.add(Scenario.of("newByteChannel missing parent", r -> Files.newByteChannel(r.resolve("m/f"), CREATE, WRITE)));
        t.add(Scenario.of("newByteChannel unsupported option", r -> Files.newByteChannel(r.resolve("f"), CREATE, Custom.OPTION))
                .notOnJimfs(JIMFS_OPTIONS));
        t.add(Scenario.of("newByteChannel null option", r -> Files.newByteChannel(r.resolve("f"), CREATE, null))
                .notOnJimfs(JIMFS_OPTIONS));
        t.add(Scenario.of("newByteChannel is a FileChannel", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(file(r, "f", "x"))) {
                return ch instanceof FileChannel;
            }
        }));
        t.add(Scenario.of("channel position size truncate", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(r.resolve("f"), CREATE, READ, WRITE)) {
                List<Object> out = new ArrayList<>();
                out.add(ch.write(ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.UTF_8))));
                out.add(ch.position(20).position());
                out.add(ch.read(ByteBuffer.allocate(4)));
                out.add(ch.write(ByteBuffer.wrap(new byte[] {'e'})));
                out.add(ch.size());
                out.add(ch.truncate(5).position());
                out.add(ch.size());
                out.add(ch.truncate(50).size());
                out.add(attempt(() -> ch.position(-1)));
                out.add(attempt(() -> ch.truncate(-1)));
                ByteBuffer b = ByteBuffer.allocate(10);
                out.add(ch.position(0).read(b));
                out.add(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                return out;
            }
        })
                .jimfsMessagesDiffer("jimfs words argument checks differently"));
        t.add(Scenario.of("channel read-only buffer and direct buffers", r -> {
            try (SeekableByteChannel ch = Files.newByteChannel(r.resolve("f"), CREATE, READ, WRITE)) {
                List<Object> out = new ArrayList<>();
                out.add(ch.write(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer()));
                ByteBuffer direct = ByteBuffer.allocateDirect(4);
                out.add(ch.position(1).read(direct));
                out.add(direct.flip().get());
                out.add(attempt(() -> ch.read(ByteBuffer.allocate(2).asReadOnlyBuffer())));
                return out;
            }
        })
                .notOnJimfs("jimfs throws ReadOnlyBufferException, the JDK IllegalArgumentException"));
        t.add(Scenario.of("channel operations after close", r -> {
            SeekableByteChannel ch = Files.newByteChannel(file(r, "f", "x"), READ, WRITE);
            ch.close();
            return List.of(ch.isOpen(), attempt(() -> ch.read(ByteBuffer.allocate(1))),
                    attempt(() -> ch.write(ByteBuffer.allocate(1))), attempt(ch::position), attempt(ch::size),
                    attempt(() -> ch.truncate(0)));
        }));
        t.add(Scenario.of("FileChannel lock and overlapping lock", r -> {
            try (FileChannel ch = FileChannel.open(file(r, "f", "x"), READ, WRITE)) {
                try (FileLock lock = ch.lock()) {
                    return List.of(lock.isValid(), lock.isShared(), lock.position(), lock.size(),
                            attempt(() -> ch.tryLock(0, 1, false)));
                }
            }
        }).notOnJimfs("jimfs locks are fake"));
        t.add(Scenario.of("FileChannel shared lock on write-only", r -> {
            try (FileChannel ch = FileChannel.open(file(r, "f", "x"), WRITE)) {
                return attempt(() -> ch.lock(0, 1, true));
            }
        }).notOnJimfs("jimfs locks are fake"));
        t.add(Scenario.of("FileChannel force and transfer", r -> {
            Path a = file(r, "a", "transfer-me");
            try (FileChannel in = FileChannel.open(a, READ);
                 FileChannel out = FileChannel.open(r.resolve("b"), CREATE_NEW, WRITE)) {
                out.force(true);
                long n = in.transferTo(2, 100, out);
                out.force(false);
                return n;
            }
        }));
        for (Set<StandardOpenOption> opts : subsets(READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING)) {
            for (String kind : List.of("existing", "missing")) {
                Scenario s = Scenario.of("FileChannel.open " + opts + " " + kind, r -> {
                    Path p = kind.equals("existing") ? file(r, "f", "hello") : r.resolve("f");
                    try (FileChannel ch = FileChannel.open(p, opts)) {
                        List<Object> out = exercise(ch);
                        out.add(attempt(() -> ch.read(ByteBuffer.allocate(3), 1)));
                        out.add(attempt(() -> ch.write(ByteBuffer.wrap(new byte[] {'P'}), 7)));
                        out.add(attempt(ch::size));
                        return out;
                    }
                });
                t.add(opts.contains(APPEND) && (opts.contains(READ) || opts.contains(TRUNCATE_EXISTING))
                        ? s.notOnJimfs(JIMFS_OPTIONS) : s);
            }
        }
        for (Set<StandardOpenOption> opts : subsets(READ, WRITE, APPEND, CREATE, TRUNCATE_EXISTING)) {
            for (String kind : List.of("existing", "missing")) {
                Scenario s = Scenario.of("AsynchronousFileChannel.open " + opts + " " + kind, r -> {
                    Path p = kind.equals("existing") ? file(r, "f", "hello") : r.resolve("f");
                    try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(p, opts.toArray(OpenOption[]::new))) {
                        List<Object> out = new ArrayList<>();
                        ByteBuffer b = ByteBuffer.allocate(8);
                        out.add(attempt(() -> ch.read(b, 1).get(10, TimeUnit.SECONDS)));
                        out.add(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                        out.add(attempt(() -> ch.write(ByteBuffer.wrap("XYZ".getBytes(StandardCharsets.UTF_8)), 3)
                                .get(10, TimeUnit.SECONDS)));
                        out.add(attempt(ch::size));
                        out.add(attempt(() -> ch.read(ByteBuffer.allocate(1), 100).get(10, TimeUnit.SECONDS)));
                        out.add(attempt(() -> ch.read(ByteBuffer.allocate(1), -1)));
                        return out;
                    }
                });
                t.add(opts.contains(APPEND) ? s.notOnJimfs(JIMFS_OPTIONS)
                        : s.jimfsMessagesDiffer("jimfs words argument checks differently"));
            }
        }
        t.add(Scenario.of("AsynchronousFileChannel completion handler and lock", r -> {
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file(r, "f", "0123456789"), READ, WRITE)) {
                CompletableFuture<Object> done = new CompletableFuture<>();
                ByteBuffer b = ByteBuffer.allocate(4);
                ch.read(b, 2, "attachment", new CompletionHandler<Integer, String>() {
                    @Override
                    public void completed(Integer n, String a) {
                        done.complete(n + " " + a + " " + new String(b.array(), StandardCharsets.UTF_8));
                    }

                    @Override
                    public void failed(Throwable e, String a) {
                        done.complete(new Thrown(e));
                    }
                });
                Object read = done.get(10, TimeUnit.SECONDS);
                try (FileLock lock = ch.lock(0, 5, false).get(10, TimeUnit.SECONDS)) {
                    return List.of(read, lock.isValid(), lock.isShared(), attempt(() -> ch.tryLock(1, 1, false)),
                            ch.truncate(4).size());
                }
            }
        }).notOnJimfs("jimfs locks are fake"));
        t.add(Scenario.of("AsynchronousFileChannel operations after close", r -> {
            AsynchronousFileChannel ch = AsynchronousFileChannel.open(file(r, "f", "x"), READ, WRITE);
            ch.close();
            return List.of(ch.isOpen(), attempt(() -> ch.read(ByteBuffer.allocate(1), 0).get(10, TimeUnit.SECONDS)),
                    attempt(ch::size), attempt(() -> ch.truncate(0)), attempt(() -> {
                        ch.force(true);
                        return null;
                    }));
        }).notOnJimfs("after close, jimfs's truncate throws ClosedChannelException, the JDK's AsynchronousCloseException"));
        t.add(Scenario.of("FileChannel map", r -> {
            try (FileChannel ch = FileChannel.open(file(r, "f", "mapped content"), READ, WRITE)) {
                List<Object> out = new ArrayList<>();
                MappedByteBuffer ro = ch.map(FileChannel.MapMode.READ_ONLY, 7, 7);
                byte[] b = new byte[ro.remaining()];
                ro.get(b);
                out.add(new String(b, StandardCharsets.UTF_8));
                out.add(ro.isReadOnly());
                MappedByteBuffer rw = ch.map(FileChannel.MapMode.READ_WRITE, 0, 6);
                rw.put(0, (byte) 'M');
                rw.force();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, 6, arena);
                    out.add(seg.byteSize());
                    out.add(seg.get(ValueLayout.JAVA_BYTE, 0));
                }
                out.add(attempt(() -> ch.map(FileChannel.MapMode.READ_ONLY, -1, 1)));
                out.add(ch.map(FileChannel.MapMode.READ_WRITE, 0, 20).capacity());
                out.add(ch.size());
                return out;
            }
        }).notOnJimfs("jimfs cannot map files"));
        t.add(Scenario.of("FileChannel map read-only channel for writing", r -> {
            try (FileChannel ch = FileChannel.open(file(r, "f", "abc"), READ)) {
                return attempt(() -> ch.map(FileChannel.MapMode.READ_WRITE, 0, 3));
            }
        }).notOnJimfs("jimfs cannot map files"));
        t.add(Scenario.of("FileChannel transferFrom and scatter gather", r -> {
            try (FileChannel out = FileChannel.open(r.resolve("g"), CREATE_NEW, READ, WRITE);
                 FileChannel in = FileChannel.open(file(r, "f", "0123456789"), READ)) {
                List<Object> res = new ArrayList<>();
                res.add(out.transferFrom(in, 0, 4));
                res.add(out.transferFrom(in, 100, 4));
                res.add(out.position(4).write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {'a', 'b'}),
                        ByteBuffer.allocateDirect(0), ByteBuffer.wrap(new byte[] {'c'})}));
                ByteBuffer x = ByteBuffer.allocate(3);
                ByteBuffer y = ByteBuffer.allocateDirect(10);
                res.add(out.position(1).read(new ByteBuffer[] {x, y}));
                res.add(new String(x.array(), StandardCharsets.UTF_8));
                res.add(y.position());
                res.add(out.transferTo(0, 100, Channels.newChannel(new ByteArrayOutputStream())));
                return res;
            }
        }).notOnJimfs("jimfs's transferFrom beyond the end transfers nothing; the JDK's extends the file"));
        t.add(Scenario.of("FileChannel force on directory", r -> {
            try (FileChannel ch = FileChannel.open(dir(r, "d"), READ)) {
                ch.force(true);
                return ch.size() >= 0;
            }
        }).notOnJimfs("jimfs cannot open directories as channels"));
    }

    /** Reads, writes and queries a channel, recording what each step gives or throws. */
    private static List<Object> exercise(SeekableByteChannel ch) {
        List<Object> out = new ArrayList<>();
        out.add(attempt(() -> {
            ByteBuffer b = ByteBuffer.allocate(16);
            int n = ch.read(b);
            return n + ":" + new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }));
        out.add(attempt(() -> ch.write(ByteBuffer.wrap("XY".getBytes(StandardCharsets.UTF_8)))));
        out.add(attempt(ch::position));
        out.add(attempt(ch::size));
        return out;
    }

    // ---------------------------------------------------------------- copy and move

    private static void copyAndMove(List<Scenario> t) {
        for (Set<StandardCopyOption> opts : subsets(REPLACE_EXISTING, COPY_ATTRIBUTES)) {
            for (boolean nofollow : List.of(false, true)) {
                for (String source : SOURCES) {
                    for (String target : TARGETS) {
                        List<CopyOption> all = new ArrayList<>(opts);
                        if (nofollow) all.add(NOFOLLOW_LINKS);
                        t.add(copyOrMove("copy", all, source, target));
                    }
                }
            }
        }
        for (Set<StandardCopyOption> opts : subsets(REPLACE_EXISTING, ATOMIC_MOVE)) {
            for (String source : SOURCES) {
                for (String target : TARGETS) {
                    Scenario s = copyOrMove("move", List.copyOf(opts), source, target);
                    t.add(opts.contains(ATOMIC_MOVE) ? s.notOnJimfs(JIMFS_ATOMIC) : s);
                }
            }
        }
        t.add(Scenario.of("copy ATOMIC_MOVE", r -> Files.copy(file(r, "f", "x"), r.resolve("g"), ATOMIC_MOVE))
                .jimfsMessagesDiffer("jimfs words the message differently"));
        t.add(Scenario.of("copy missing target parent", r -> Files.copy(file(r, "f", "x"), r.resolve("m/f"))));
        t.add(Scenario.of("copy dir copies no children", r -> {
            file(dir(r, "d"), "child", "x");
            return Files.copy(r.resolve("d"), r.resolve("e"));
        }));
        t.add(Scenario.of("copy COPY_ATTRIBUTES keeps permissions and times", r -> {
            Path f = file(r, "f", "x");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r-x-w---x"));
            Files.getFileAttributeView(f, BasicFileAttributeView.class).setTimes(T1, T2, null);
            Path g = Files.copy(f, r.resolve("g"), COPY_ATTRIBUTES);
            PosixFileAttributes a = Files.readAttributes(g, PosixFileAttributes.class);
            return List.of(a.permissions(), a.lastModifiedTime(), a.lastAccessTime());
        }));
        t.add(Scenario.of("copy COPY_ATTRIBUTES dir keeps permissions", r -> {
            Path d = Files.createDirectory(r.resolve("d"), perms("rwx-----x"));
            Files.setLastModifiedTime(d, T1);
            Path e = Files.copy(d, r.resolve("e"), COPY_ATTRIBUTES);
            return List.of(Files.getPosixFilePermissions(e), Files.getLastModifiedTime(e));
        }));
        t.add(Scenario.of("copy COPY_ATTRIBUTES keeps xattrs", r -> {
            Path f = file(r, "f", "x");
            Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
                    .write("k", ByteBuffer.wrap(new byte[] {1, 2}));
            Path g = Files.copy(f, r.resolve("g"), COPY_ATTRIBUTES);
            return Files.getFileAttributeView(g, UserDefinedFileAttributeView.class).list();
        }));
        t.add(Scenario.of("copy large file", r -> {
            Path f = Files.write(r.resolve("f"), pattern(5 * 1024 * 1024 + 3));
            return Files.mismatch(f, Files.copy(f, r.resolve("g")));
        }));
        t.add(Scenario.of("move dir with children", r -> {
            file(dir(r, "d/sub"), "f", "x");
            return Files.move(r.resolve("d"), r.resolve("e"));
        }));
        t.add(Scenario.of("move dir into itself", r -> Files.move(dir(r, "d"), r.resolve("d/sub")))
                .notOnJimfs(JIMFS_LOOP));
        t.add(Scenario.of("move missing target parent", r -> Files.move(file(r, "f", "x"), r.resolve("m/f")))
                .jimfsMessagesDiffer("jimfs names only one file"));
        t.add(Scenario.of("move keeps times and permissions", r -> {
            Path f = file(r, "f", "x");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-----w-"));
            Files.setLastModifiedTime(f, T1);
            Path g = Files.move(f, r.resolve("g"));
            return List.of(Files.getPosixFilePermissions(g), Files.getLastModifiedTime(g));
        }));
        t.add(Scenario.of("copy unsupported option", r -> Files.copy(file(r, "f", "x"), r.resolve("g"),
                Custom.OPTION))
                .notOnJimfs(JIMFS_OPTIONS));
    }

    private static Scenario copyOrMove(String op, List<CopyOption> opts, String source, String target) {
        Scenario s = Scenario.of(op + " " + source + " to " + target + " " + opts, r -> {
            Path src = r.resolve("src");
            switch (source) {
                case "file" -> {
                    file(r, "src", "source");
                    Files.setLastModifiedTime(src, T1);
                }
                case "dir" -> {
                    file(dir(r, "src"), "child", "c");
                    Files.setLastModifiedTime(src, T1);
                }
                case "link-to-file" -> {
                    Files.setLastModifiedTime(file(r, "real", "real"), T1);
                    link(r, "src", "real");
                }
                case "dangling-link" -> link(r, "src", "nowhere");
                default -> { }
            }
            Path dst = target.equals("same") ? src : r.resolve("dst");
            switch (target) {
                case "file" -> file(r, "dst", "old");
                case "empty-dir" -> dir(r, "dst");
                case "full-dir" -> file(dir(r, "dst"), "x", "x");
                default -> { }
            }
            CopyOption[] o = opts.toArray(CopyOption[]::new);
            Path result = op.equals("copy") ? Files.copy(src, dst, o) : Files.move(src, dst, o);
            return List.of(result, attempt(() -> Files.getLastModifiedTime(result, NOFOLLOW_LINKS)));
        });
        if (target.equals("same") && source.contains("link")) {
            return s.notOnJimfs("jimfs short-circuits a copy onto the same file; the JDK removes the link first");
        }
        boolean error = source.contains("link") || source.equals("missing") || target.equals("full-dir")
                || target.equals("same");
        return error ? s.jimfsMessagesDiffer(JIMFS_MSG) : s;
    }

    // ---------------------------------------------------------------- links

    private static void links(List<Scenario> t) {
        t.add(Scenario.of("createSymbolicLink relative and read", r -> Files.readSymbolicLink(link(r, "l", "a/b"))));
        t.add(Scenario.of("createSymbolicLink absolute and read", r -> Files.readSymbolicLink(
                Files.createSymbolicLink(r.resolve("l"), r.resolve("t")))));
        t.add(Scenario.of("createSymbolicLink existing", r -> link(r, "l", file(r, "f", "x").getFileName().toString())));
        t.add(Scenario.of("createSymbolicLink missing parent", r -> link(r, "m/l", "t")));
        t.add(Scenario.of("createSymbolicLink with attributes", r -> Files.createSymbolicLink(r.resolve("l"),
                r.resolve("t"), perms("rwxrwxrwx")))
                .notOnJimfs("jimfs accepts initial attributes for symbolic links"));
        t.add(Scenario.of("createSymbolicLink target with dots and spaces", r -> Files.readSymbolicLink(
                link(r, "l", "../x y/./ z"))));
        t.add(Scenario.of("readSymbolicLink not a link", r -> Files.readSymbolicLink(file(r, "f", "x")))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("readSymbolicLink missing", r -> Files.readSymbolicLink(r.resolve("m"))));
        t.add(Scenario.of("symlink chain resolution", r -> {
            file(r, "f", "end");
            link(r, "l1", "f");
            link(r, "l2", "l1");
            return List.of(Files.readString(r.resolve("l2")), Files.readSymbolicLink(r.resolve("l2")),
                    r.resolve("l2").toRealPath());
        }));
        t.add(Scenario.of("symlink loop", r -> {
            link(r, "a", "b");
            link(r, "b", "a");
            Path a = r.resolve("a");
            return List.of(Files.exists(a), Files.notExists(a), Files.exists(a, NOFOLLOW_LINKS),
                    Files.isSymbolicLink(a), attempt(() -> Files.readAttributes(a, BasicFileAttributes.class).size()),
                    attempt(() -> Files.readString(a)), attempt(a::toRealPath), attempt(() -> Files.newByteChannel(a)));
        })
                .notOnJimfs(JIMFS_LOOP));
        t.add(Scenario.of("self symlink loop createDirectories", r -> Files.createDirectories(link(r, "a", "a").resolve("b")))
                .notOnJimfs(JIMFS_LOOP));
        t.add(Scenario.of("createLink and count", r -> {
            Path f = file(r, "f", "x");
            Path h = Files.createLink(r.resolve("h"), f);
            return List.of(Files.isSameFile(f, h), Files.getAttribute(h, "unix:nlink"));
        }).notOnJimfs(JIMFS_UNIX_VIEW));
        t.add(Scenario.of("createLink existing", r -> Files.createLink(file(r, "h", "y"), file(r, "f", "x")))
                .jimfsMessagesDiffer("jimfs names only one file"));
        t.add(Scenario.of("createLink missing source", r -> Files.createLink(r.resolve("h"), r.resolve("m")))
                .jimfsMessagesDiffer("jimfs names only one file"));
        t.add(Scenario.of("createLink to directory", r -> Files.createLink(r.resolve("h"), dir(r, "d")))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("createLink to symlink", r -> {
            file(r, "f", "x");
            Path h = Files.createLink(r.resolve("h"), link(r, "l", "f"));
            return List.of(Files.isSymbolicLink(h), Files.readString(h));
        })
                .notOnJimfs("jimfs follows the link; link(2) on Linux does not"));
    }

    // ---------------------------------------------------------------- predicates

    private static void predicates(List<Scenario> t) {
        for (String kind : List.of("file", "dir", "link-to-file", "link-to-dir", "dangling-link", "missing",
                "missing-parent", "hidden-file", "through-file")) {
            Scenario s = Scenario.of("predicates " + kind, r -> {
                Path p = switch (kind) {
                    case "file" -> file(r, "p", "x");
                    case "dir" -> dir(r, "p");
                    case "link-to-file" -> {
                        file(r, "t", "x");
                        yield link(r, "p", "t");
                    }
                    case "link-to-dir" -> {
                        dir(r, "t");
                        yield link(r, "p", "t");
                    }
                    case "dangling-link" -> link(r, "p", "nowhere");
                    case "missing-parent" -> r.resolve("m/p");
                    case "hidden-file" -> file(r, ".p", "x");
                    case "through-file" -> file(r, "f", "x").resolve("p");
                    default -> r.resolve("p");
                };
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("exists", Files.exists(p));
                m.put("existsNoFollow", Files.exists(p, NOFOLLOW_LINKS));
                m.put("notExists", Files.notExists(p));
                m.put("notExistsNoFollow", Files.notExists(p, NOFOLLOW_LINKS));
                m.put("isDirectory", Files.isDirectory(p));
                m.put("isDirectoryNoFollow", Files.isDirectory(p, NOFOLLOW_LINKS));
                m.put("isRegularFile", Files.isRegularFile(p));
                m.put("isRegularFileNoFollow", Files.isRegularFile(p, NOFOLLOW_LINKS));
                m.put("isSymbolicLink", Files.isSymbolicLink(p));
                m.put("isOther", attempt(() -> Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS).isOther()));
                m.put("isReadable", Files.isReadable(p));
                m.put("isWritable", Files.isWritable(p));
                m.put("isExecutable", Files.isExecutable(p));
                m.put("isHidden", attempt(() -> Files.isHidden(p)));
                m.put("size", attempt(() -> kind.contains("dir") ? -1L : Files.size(p)));
                m.put("checkAccess", attempt(() -> {
                    p.getFileSystem().provider().checkAccess(p, AccessMode.READ, AccessMode.WRITE);
                    return "ok";
                }));
                return m;
            });
            // jimfs says a file is executable without x permission
            if (Set.of("missing", "missing-parent", "through-file").contains(kind)) {
                s = s.onJimfs(JIMFS_DOS_HIDDEN, o -> o.replace("isHidden=false", "isHidden=java.nio.file.NoSuchFileException"));
            }
            t.add(Set.of("file", "link-to-file", "hidden-file").contains(kind) ? s.notOnJimfs(JIMFS_NO_PERMS)
                    : s.jimfsMessagesDiffer(JIMFS_MSG));
        }
        t.add(Scenario.of("isExecutable after chmod", r -> {
            Path f = file(r, "f", "x");
            boolean before = Files.isExecutable(f);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r-x------"));
            return List.of(before, Files.isExecutable(f));
        }).notOnJimfs(JIMFS_NO_PERMS));
        t.add(Scenario.of("isHidden of root and dot names", r -> List.of(Files.isHidden(r), Files.isHidden(dir(r, ".d")),
                Files.isHidden(r.resolve("..x")), Files.isHidden(r.getRoot()))).notOnJimfs(JIMFS_DOS_HIDDEN));
        t.add(Scenario.of("checkAccess EXECUTE on plain file", r -> {
            Path f = file(r, "f", "x");
            f.getFileSystem().provider().checkAccess(f, AccessMode.EXECUTE);
            return null;
        }).notOnJimfs(JIMFS_NO_PERMS));
    }

    // ---------------------------------------------------------------- attributes

    private static void attributes(List<Scenario> t) {
        t.add(Scenario.of("size of file", r -> Files.size(file(r, "f", "12345"))));
        t.add(Scenario.of("size missing", r -> Files.size(r.resolve("m"))));
        t.add(Scenario.of("size of directory", r -> Files.size(dir(r, "d")))
                .notOnJimfs("directory sizes are file-system specific"));
        t.add(Scenario.of("setLastModifiedTime nanoseconds", r -> Files.getLastModifiedTime(
                Files.setLastModifiedTime(file(r, "f", "x"), T1))));
        t.add(Scenario.of("setLastModifiedTime on dir and symlink", r -> {
            dir(r, "d");
            Path l = link(r, "l", "d");
            Files.setLastModifiedTime(l, T2);
            return List.of(Files.getLastModifiedTime(r.resolve("d")), Files.getLastModifiedTime(l),
                    Files.getLastModifiedTime(l, NOFOLLOW_LINKS));
        }));
        t.add(Scenario.of("setLastModifiedTime missing", r -> Files.setLastModifiedTime(r.resolve("m"), T1)));
        t.add(Scenario.of("setLastModifiedTime pre-epoch and far future", r -> {
            Path f = file(r, "f", "x");
            List<Object> out = new ArrayList<>();
            for (String s : List.of("1969-12-31T23:59:59.999999999Z", "1900-01-01T00:00:00Z", "2400-02-29T12:00:00.000000001Z")) {
                java.nio.file.attribute.FileTime ft = java.nio.file.attribute.FileTime.from(java.time.Instant.parse(s));
                Files.setLastModifiedTime(f, ft);
                out.add(Files.getLastModifiedTime(f).toString());
            }
            return out;
        })
                .notOnJimfs("the kernel clamps times to the file system's range; jimfs keeps any FileTime"));
        t.add(Scenario.of("BasicFileAttributeView setTimes null keeps", r -> {
            Path f = file(r, "f", "x");
            BasicFileAttributeView v = Files.getFileAttributeView(f, BasicFileAttributeView.class);
            v.setTimes(T1, T2, null);
            v.setTimes(null, null, T1);
            BasicFileAttributes a = v.readAttributes();
            return List.of(a.lastModifiedTime(), a.lastAccessTime(), v.name());
        }));
        t.add(Scenario.of("BasicFileAttributeView NOFOLLOW_LINKS on symlink", r -> {
            file(r, "f", "x");
            Path l = link(r, "l", "f");
            BasicFileAttributeView v = Files.getFileAttributeView(l, BasicFileAttributeView.class, NOFOLLOW_LINKS);
            v.setTimes(T1, null, null);
            return List.of(Files.getLastModifiedTime(l, NOFOLLOW_LINKS), Files.getLastModifiedTime(l));
        }));
        t.add(Scenario.of("BasicFileAttributes fields", r -> {
            Path f = file(r, "f", "abc");
            Files.setLastModifiedTime(f, T1);
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return List.of(a.size(), a.isRegularFile(), a.isDirectory(), a.isSymbolicLink(), a.isOther(),
                    a.lastModifiedTime(), a.lastAccessTime(), a.creationTime(), a.fileKey() != null);
        }).jimfsMessagesDiffer("jimfs's fileKey is its own object"));
        for (String spec : List.of("*", "basic:*", "basic:size,isDirectory,lastModifiedTime", "size", "posix:*",
                "posix:permissions,owner,group", "unix:*", "unix:nlink,mode,uid,gid,size", "owner:*", "dos:*",
                "basic:size,nosuch", "basic:", "nosuch:*", "posix:*,size", "unix:ino", "basic:isOther,fileKey")) {
            Scenario s = Scenario.of("readAttributes map " + spec, r -> {
                Path f = file(r, "f", "abc");
                Files.setLastModifiedTime(f, T1);
                return Files.readAttributes(f, spec);
            });
            if (spec.equals("*") || spec.equals("basic:*")) s = s.notOnJimfs("jimfs's fileKey is its own object");
            else if (spec.startsWith("unix")) s = s.notOnJimfs(JIMFS_UNIX_VIEW);
            else if (spec.startsWith("dos")) s = s.notOnJimfs("jimfs's dos view also inherits the owner view (an extra "
                    + "owner attribute), and its fileKey is its own object");
            else if (spec.startsWith("posix") || spec.startsWith("owner")) s = s.notOnJimfs(JIMFS_OWNER);
            else if (spec.contains("fileKey")) s = s.notOnJimfs("jimfs's fileKey is its own object");
            else if (spec.contains("nosuch") || spec.endsWith(":")) s = s.jimfsMessagesDiffer("jimfs words the message differently");
            t.add(s);
        }
        t.add(Scenario.of("readAttributes map NOFOLLOW_LINKS", r -> {
            link(r, "l", "nowhere");
            Map<String, Object> m = Files.readAttributes(r.resolve("l"), "basic:isSymbolicLink,isRegularFile,size", NOFOLLOW_LINKS);
            return List.of(m.get("isSymbolicLink"), m.get("isRegularFile"));
        }));
        t.add(Scenario.of("attributes through a file", r -> {
            Path p = file(r, "f", "x").resolve("p");
            return List.of(attempt(() -> Files.readAttributes(p, BasicFileAttributes.class)),
                    attempt(() -> Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS)),
                    attempt(() -> Files.readAttributes(p, "posix:*", NOFOLLOW_LINKS)),
                    attempt(() -> Files.size(p)), attempt(() -> Files.getLastModifiedTime(p)),
                    attempt(() -> Files.setLastModifiedTime(p, T1)), attempt(() -> Files.getOwner(p)));
        }).notOnJimfs(JIMFS_OWNER));
        t.add(Scenario.of("readAttributes missing", r -> Files.readAttributes(r.resolve("m"), "*")));
        t.add(Scenario.of("readAttributes PosixFileAttributes", r -> {
            PosixFileAttributes a = Files.readAttributes(dir(r, "d"), PosixFileAttributes.class);
            return List.of(a.permissions(), a.owner(), a.group(), a.isDirectory());
        }).notOnJimfs(JIMFS_OWNER));
        t.add(Scenario.of("readAttributes DosFileAttributes", r -> {
            var a = Files.readAttributes(file(r, "f", "x"), java.nio.file.attribute.DosFileAttributes.class);
            return List.of(a.isHidden(), a.isArchive(), a.isSystem(), a.isReadOnly());
        }));
        t.add(Scenario.of("DosFileAttributeView set and read", r -> {
            Path f = file(r, "f", "x");
            DosFileAttributeView v = Files.getFileAttributeView(f, DosFileAttributeView.class);
            v.setHidden(true);
            v.setArchive(true);
            return Files.readAttributes(f, "dos:hidden,archive,system,readonly");
        }));
        t.add(Scenario.of("getAttribute single names", r -> {
            Path f = file(r, "f", "abcd");
            return List.of(Files.getAttribute(f, "size"), Files.getAttribute(f, "basic:isRegularFile"),
                    attempt(() -> Files.getAttribute(f, "basic:*")), attempt(() -> Files.getAttribute(f, "basic:nosuch")));
        }).jimfsMessagesDiffer("jimfs words the message differently"));
        t.add(Scenario.of("getAttribute unix:nlink of dir with subdirs", r -> {
            dir(r, "d/a");
            dir(r, "d/b");
            return Files.getAttribute(r.resolve("d"), "unix:nlink");
        }).notOnJimfs(JIMFS_UNIX_VIEW));
        t.add(Scenario.of("setAttribute times and permissions", r -> {
            Path f = file(r, "f", "x");
            Files.setAttribute(f, "basic:lastModifiedTime", T1);
            Files.setAttribute(f, "lastAccessTime", T2);
            Files.setAttribute(f, "posix:permissions", PosixFilePermissions.fromString("rw-rw----"));
            Files.setAttribute(f, "basic:creationTime", T2);
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.lastAccessTime(), Files.getPosixFilePermissions(f));
        }));
        t.add(Scenario.of("setAttribute errors", r -> {
            Path f = file(r, "f", "x");
            return List.of(attempt(() -> Files.setAttribute(f, "basic:size", 3L)),
                    attempt(() -> Files.setAttribute(f, "nosuch:x", 1)),
                    attempt(() -> Files.setAttribute(f, "basic:lastModifiedTime", "not a time")),
                    attempt(() -> Files.setAttribute(r.resolve("m"), "basic:lastModifiedTime", T1)));
        })
                .notOnJimfs("jimfs throws IllegalArgumentException for a value of the wrong type, the JDK ClassCastException"));
        t.add(Scenario.of("posix permissions round trip", r -> {
            Path f = file(r, "f", "x");
            List<Object> out = new ArrayList<>();
            for (String p : List.of("---------", "rwxrwxrwx", "r--r--r--", "-w--w--w-", "--x--x--x")) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(p));
                out.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
            return out;
        }));
        t.add(Scenario.of("posix permissions through symlink", r -> {
            file(r, "f", "x");
            Path l = link(r, "l", "f");
            Files.setPosixFilePermissions(l, PosixFilePermissions.fromString("r--------"));
            return List.of(Files.getPosixFilePermissions(r.resolve("f")),
                    Files.readAttributes(l, PosixFileAttributes.class, NOFOLLOW_LINKS).isSymbolicLink());
        }));
        t.add(Scenario.of("setPosixFilePermissions missing", r -> Files.setPosixFilePermissions(r.resolve("m"),
                PosixFilePermissions.fromString("rw-------"))));
        t.add(Scenario.of("getOwner and setOwner to same", r -> {
            Path f = file(r, "f", "x");
            var owner = Files.getOwner(f);
            Files.setOwner(f, owner);
            var lookup = f.getFileSystem().getUserPrincipalLookupService();
            return List.of(owner, lookup.lookupPrincipalByName(owner.getName()).equals(owner),
                    attempt(() -> lookup.lookupPrincipalByName("no-such-user-xyz")),
                    Files.getFileAttributeView(f, PosixFileAttributeView.class).name());
        }).notOnJimfs(JIMFS_OWNER));
        t.add(Scenario.of("user xattrs", r -> {
            Path f = file(r, "f", "x");
            UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
            v.write("alpha", ByteBuffer.wrap("one".getBytes(StandardCharsets.UTF_8)));
            v.write("beta", ByteBuffer.wrap(new byte[0]));
            ByteBuffer b = ByteBuffer.allocate(v.size("alpha"));
            v.read("alpha", b);
            List<Object> out = new ArrayList<>();
            out.add(new java.util.TreeSet<>(v.list()));
            out.add(new String(b.array(), StandardCharsets.UTF_8));
            out.add(Files.getAttribute(f, "user:alpha"));
            out.add(attempt(() -> v.size("gamma")));
            v.delete("beta");
            out.add(v.list());
            out.add(attempt(() -> {
                v.delete("gamma");
                return null;
            }));
            out.add(attempt(() -> v.read("alpha", ByteBuffer.allocate(1))));
            return out;
        }).onJimfs("jimfs reports a missing extended attribute's size as IllegalArgumentException, deletes a missing one "
                + "without complaint, and throws BufferOverflowException for a buffer too small; the rest agrees", o -> o
                .replace("java.nio.file.FileSystemException: <root>/f: Unable to get size of extended attribute 'gamma': No data available",
                        "java.lang.IllegalArgumentException: attribute 'user:gamma' is not set")
                .replace("java.nio.file.FileSystemException: <root>/f: Unable to delete extended attribute 'gamma': No data available",
                        "null")
                .replace("java.nio.file.FileSystemException: <root>/f: Error reading extended attribute 'alpha': Insufficient space in buffer",
                        "java.nio.BufferOverflowException: null")));
        t.add(Scenario.of("getFileAttributeView unsupported", r -> String.valueOf(Files.getFileAttributeView(
                file(r, "f", "x"), java.nio.file.attribute.AclFileAttributeView.class))));
        t.add(Scenario.of("readAttributes unsupported class", r -> Files.readAttributes(file(r, "f", "x"),
                UnsupportedAttributes.class)).jimfsMessagesDiffer("jimfs words the message differently"));
    }

    /** An option no provider supports. */
    enum Custom implements CopyOption, OpenOption { OPTION }

    /** An attributes interface no provider supports. */
    interface UnsupportedAttributes extends BasicFileAttributes {}

    // ---------------------------------------------------------------- listing and walking

    private static void listing(List<Scenario> t) {
        t.add(Scenario.of("list sorted", r -> {
            tree(r);
            try (Stream<Path> s = Files.list(r)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("list empty dir", r -> {
            try (Stream<Path> s = Files.list(dir(r, "d"))) {
                return s.toList();
            }
        }));
        t.add(Scenario.of("list file", r -> Files.list(file(r, "f", "x"))).jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("list missing", r -> Files.list(r.resolve("m"))));
        t.add(Scenario.of("list through symlink", r -> {
            tree(r);
            try (Stream<Path> s = Files.list(link(r, "l", "a"))) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("list relative path", r -> {
            tree(r);
            try (Stream<Path> s = Files.list(r.resolve("a/../a/b"))) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walk sorted", r -> {
            tree(r);
            try (Stream<Path> s = Files.walk(r)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walk pre-order", r -> {
            tree(r);
            try (Stream<Path> s = Files.walk(r)) {
                List<Path> seen = new ArrayList<>();
                return s.allMatch(p -> {
                    boolean ok = p.equals(r) || seen.contains(p.getParent());
                    seen.add(p);
                    return ok;
                }) + " " + seen.size();
            }
        }));
        t.add(Scenario.of("walk maxDepth 1", r -> {
            tree(r);
            try (Stream<Path> s = Files.walk(r, 1)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walk maxDepth 0 and negative", r -> {
            tree(r);
            try (Stream<Path> s = Files.walk(r, 0)) {
                return List.of(s.toList(), attempt(() -> Files.walk(r, -1)));
            }
        }));
        t.add(Scenario.of("walk does not follow links by default", r -> {
            tree(r);
            link(r, "la", "a");
            try (Stream<Path> s = Files.walk(r)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walk FOLLOW_LINKS", r -> {
            tree(r);
            link(r, "la", "a");
            try (Stream<Path> s = Files.walk(r, FileVisitOption.FOLLOW_LINKS)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walk FOLLOW_LINKS loop", r -> {
            tree(r);
            link(r, "a/b/up", "../..");
            try (Stream<Path> s = Files.walk(r, FileVisitOption.FOLLOW_LINKS)) {
                return s.count();
            }
        }).jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("walk missing", r -> Files.walk(r.resolve("m"))));
        t.add(Scenario.of("walk of a file", r -> {
            try (Stream<Path> s = Files.walk(file(r, "f", "x"))) {
                return s.toList();
            }
        }));
        t.add(Scenario.of("find by attributes", r -> {
            tree(r);
            try (Stream<Path> s = Files.find(r, 10, (p, a) -> a.isRegularFile() && a.size() > 1)) {
                return sorted(s);
            }
        }));
        t.add(Scenario.of("walkFileTree events", r -> {
            tree(r);
            List<String> events = new ArrayList<>();
            Files.walkFileTree(r, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    events.add("pre " + r.relativize(d) + " " + a.isDirectory());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    events.add("file " + r.relativize(f) + " " + a.size() + " " + a.isSymbolicLink());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    events.add("post " + r.relativize(d) + " " + e);
                    return FileVisitResult.CONTINUE;
                }
            });
            return events.stream().sorted().toList();
        }));
        t.add(Scenario.of("walkFileTree SKIP_SUBTREE and TERMINATE", r -> {
            tree(r);
            List<String> events = new ArrayList<>();
            Files.walkFileTree(r, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    events.add("pre " + r.relativize(d));
                    return d.getFileName().toString().equals("a") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }
            });
            return events.stream().sorted().toList();
        }));
        t.add(Scenario.of("walkFileTree missing start", r -> {
            List<String> events = new ArrayList<>();
            Files.walkFileTree(r.resolve("m"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    events.add("failed " + f + " " + e);
                    return FileVisitResult.CONTINUE;
                }
            });
            return events;
        }));
        t.add(Scenario.of("walkFileTree dangling link and loop with FOLLOW_LINKS", r -> {
            tree(r);
            link(r, "dangling", "nowhere");
            link(r, "a/loop", "..");
            List<String> events = new ArrayList<>();
            Files.walkFileTree(r, EnumSet.of(FileVisitOption.FOLLOW_LINKS), 10, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    events.add("file " + r.relativize(f) + " link=" + a.isSymbolicLink());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    events.add("failed " + r.relativize(f) + " " + e.getClass().getSimpleName());
                    return FileVisitResult.CONTINUE;
                }
            });
            return events.stream().sorted().toList();
        }));
        t.add(Scenario.of("newDirectoryStream all", r -> {
            tree(r);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r)) {
                return sorted(iterate(ds));
            }
        }));
        for (String glob : List.of("*", "*.txt", "{a,c}*", "[a-b]", "?.txt", "**", "*.{txt,md}", "[!a]*", "\\*")) {
            t.add(Scenario.of("newDirectoryStream glob " + glob, r -> {
                tree(r);
                file(r, "*", "star");
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(r, glob)) {
                    return sorted(iterate(ds));
                }
            }));
        }
        t.add(Scenario.of("newDirectoryStream bad glob", r -> Files.newDirectoryStream(r, "[a"))
                .jimfsMessagesDiffer("jimfs's glob translation reports a different index"));
        t.add(Scenario.of("newDirectoryStream filter", r -> {
            tree(r);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r, p -> Files.isDirectory(p))) {
                return sorted(iterate(ds));
            }
        }));
        t.add(Scenario.of("newDirectoryStream filter throws", r -> {
            tree(r);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r, p -> {
                throw new IOException("filter says no");
            })) {
                return attempt(() -> iterate(ds));
            }
        }));
        t.add(Scenario.of("newDirectoryStream iterator twice and after close", r -> {
            tree(r);
            DirectoryStream<Path> ds = Files.newDirectoryStream(r);
            ds.iterator();
            Object second = attempt(ds::iterator);
            ds.close();
            DirectoryStream<Path> ds2 = Files.newDirectoryStream(r);
            ds2.close();
            return List.of(second, attempt(ds2::iterator));
        })
                .notOnJimfs("jimfs throws ClosedDirectoryStreamException from iterator() after close, the JDK IllegalStateException"));
        t.add(Scenario.of("newDirectoryStream on file", r -> Files.newDirectoryStream(file(r, "f", "x")))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("newDirectoryStream missing", r -> Files.newDirectoryStream(r.resolve("m"))));
        t.add(Scenario.of("newDirectoryStream entries resolve against the given path", r -> {
            tree(r);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r.resolve("a/./b"))) {
                return sorted(iterate(ds));
            }
        }));
        t.add(Scenario.of("SecureDirectoryStream operations", r -> {
            tree(r);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r)) {
                if (!(ds instanceof SecureDirectoryStream<Path> sds)) return "not secure";
                Path rel = r.getFileSystem().getPath("c.txt");
                List<Object> out = new ArrayList<>();
                try (SeekableByteChannel ch = sds.newByteChannel(rel, Set.of(READ))) {
                    out.add(exercise(ch));
                }
                out.add(sds.getFileAttributeView(rel, BasicFileAttributeView.class).readAttributes().size());
                out.add(sds.getFileAttributeView(PosixFileAttributeView.class).readAttributes().isDirectory());
                try (SecureDirectoryStream<Path> sub = sds.newDirectoryStream(r.getFileSystem().getPath("a"))) {
                    out.add(sorted(iterate(sub)));
                }
                sds.deleteFile(rel);
                out.add(attempt(() -> {
                    sds.deleteDirectory(r.getFileSystem().getPath("a"));
                    return null;
                }));
                sds.move(r.getFileSystem().getPath("d.md"), sds, r.getFileSystem().getPath("moved.md"));
                out.add(attempt(() -> sds.newDirectoryStream(r.getFileSystem().getPath("moved.md"))));
                return out;
            }
        })
                .notOnJimfs("jimfs's SecureDirectoryStream throws NullPointerException for the directory's own view"));
    }

    /** A small tree: a/b/x.txt, a/y.txt, c.txt, d.md, e/ (empty). */
    private static void tree(Path r) throws IOException {
        file(dir(r, "a/b"), "x.txt", "xx");
        file(r.resolve("a"), "y.txt", "y");
        file(r, "c.txt", "ccc");
        file(r, "d.md", "d");
        dir(r, "e");
    }

    private static List<Path> iterate(DirectoryStream<Path> ds) {
        List<Path> out = new ArrayList<>();
        ds.forEach(out::add);
        return out;
    }

    private static List<Path> sorted(Stream<Path> s) {
        return sorted(s.toList());
    }

    private static List<Path> sorted(List<Path> l) {
        return l.stream().sorted(Comparator.comparing(Path::toString)).toList();
    }

    // ---------------------------------------------------------------- everything else

    private static void misc(List<Scenario> t) {
        t.add(Scenario.of("toUri and back", r -> {
            dir(r, "a dir");
            file(r, "f%25", "x");
            List<Object> out = new ArrayList<>();
            for (String name : List.of("a dir", "f%25", "missing dir", "\u00e9t\u00e9", "x?y#z", "")) {
                Path p = r.resolve(name);
                URI u = p.toUri();
                out.add(u.getRawPath().replace(r.toUri().getRawPath(), "<root>/"));
                out.add(Path.of(u).equals(p));
            }
            return out;
        }).notOnJimfs("jimfs's URIs do not percent-encode non-ASCII characters"));
        t.add(Scenario.of("WatchService create and delete", r -> {
            try (WatchService ws = r.getFileSystem().newWatchService()) {
                WatchKey key = r.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
                Files.createFile(r.resolve("a"));
                List<Object> out = new ArrayList<>(events(ws.poll(10, TimeUnit.SECONDS), key));
                Files.delete(r.resolve("a"));
                out.addAll(events(ws.poll(10, TimeUnit.SECONDS), key));
                key.cancel();
                out.add(key.isValid());
                return out;
            }
        }).notOnJimfs("jimfs's watch service polls every 5 seconds and may coalesce the events differently"));
        t.add(Scenario.of("mismatch identical", r -> Files.mismatch(file(r, "a", "same"), file(r, "b", "same"))));
        t.add(Scenario.of("mismatch differs", r -> Files.mismatch(file(r, "a", "abcX"), file(r, "b", "abcY"))));
        t.add(Scenario.of("mismatch prefix", r -> Files.mismatch(file(r, "a", "abc"), file(r, "b", "abcdef"))));
        t.add(Scenario.of("mismatch large late difference", r -> {
            byte[] data = pattern(1 << 20);
            Path a = Files.write(r.resolve("a"), data);
            data[data.length - 2] ^= 1;
            return Files.mismatch(a, Files.write(r.resolve("b"), data));
        }));
        t.add(Scenario.of("mismatch same path missing", r -> Files.mismatch(r.resolve("m"), r.resolve("m"))));
        t.add(Scenario.of("mismatch missing", r -> Files.mismatch(file(r, "a", "x"), r.resolve("m"))));
        t.add(Scenario.of("mismatch directory", r -> Files.mismatch(file(r, "a", "x"), dir(r, "d")))
                .notOnJimfs("jimfs refuses to open a directory; the JDK opens it and the read fails"));
        t.add(Scenario.of("createTempFile", r -> {
            Path f = Files.createTempFile(r, "pre", ".suf");
            return List.of(f.getParent(), f.getFileName().toString().matches("pre\\d+\\.suf"),
                    Files.getPosixFilePermissions(f), Files.size(f));
        })
                .onJimfs(JIMFS_TEMP_PERMS, o -> o.replace("rw-------", "rw-r--r--")));
        t.add(Scenario.of("createTempFile null prefix and suffix", r -> {
            Path f = Files.createTempFile(r, null, null);
            return List.of(f.getFileName().toString().matches("\\d+\\.tmp"), Files.getPosixFilePermissions(f));
        })
                .onJimfs(JIMFS_TEMP_PERMS, o -> o.replace("rw-------", "rw-r--r--")));
        t.add(Scenario.of("createTempFile with permissions", r -> Files.getPosixFilePermissions(
                Files.createTempFile(r, "p", "s", perms("rw-r-----")))));
        t.add(Scenario.of("createTempFile bad prefix", r -> Files.createTempFile(r, "a/b", "s")));
        t.add(Scenario.of("createTempFile missing dir", r -> Files.createTempFile(r.resolve("m"), "p", "s"))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("createTempDirectory", r -> {
            Path d = Files.createTempDirectory(r, "dir");
            return List.of(d.getParent(), d.getFileName().toString().matches("dir\\d+"),
                    Files.getPosixFilePermissions(d), Files.isDirectory(d));
        })
                .notOnJimfs("jimfs gives new directories rw-r--r--: it has no umask"));
        t.add(Scenario.of("createTempFile with unix:permissions", r -> Files.getPosixFilePermissions(
                Files.createTempFile(r, "p", "s", attr("unix:permissions", PosixFilePermissions.fromString("rwxrwxrwx")))))
                .notOnJimfs("jimfs takes no unix:permissions as initial attribute"));
        t.add(Scenario.of("createTempDirectory with permissions", r -> Files.getPosixFilePermissions(
                Files.createTempDirectory(r, "d", perms("rwxrwxrwx"))))
                .notOnJimfs("jimfs has no umask"));
        t.add(Scenario.of("createTempDirectory with unix:permissions", r -> Files.getPosixFilePermissions(
                Files.createTempDirectory(r, "d", attr("unix:permissions", PosixFilePermissions.fromString("rwxrwxrwx")))))
                .notOnJimfs("jimfs takes no unix:permissions as initial attribute"));
        t.add(Scenario.of("createTempDirectory missing parent", r -> Files.createTempDirectory(r.resolve("m"), "x"))
                .jimfsMessagesDiffer(JIMFS_MSG));
        t.add(Scenario.of("probeContentType", r -> List.of(String.valueOf(Files.probeContentType(file(r, "a.txt", "x"))),
                String.valueOf(Files.probeContentType(file(r, "b.html", "x"))),
                String.valueOf(Files.probeContentType(r.resolve("missing.png"))))));
        t.add(Scenario.of("isSameFile cases", r -> {
            Path f = file(r, "f", "x");
            Path g = file(r, "g", "x");
            link(r, "l", "f");
            return List.of(Files.isSameFile(f, f), Files.isSameFile(f, r.resolve("l")), Files.isSameFile(f, g),
                    Files.isSameFile(f, r.resolve("./f")), Files.isSameFile(r.resolve("m"), r.resolve("m")),
                    attempt(() -> Files.isSameFile(f, r.resolve("m"))), Files.isSameFile(r, r.resolve("d/..").normalize()));
        })
                .notOnJimfs("jimfs returns false for a missing file instead of throwing"));
        t.add(Scenario.of("isSameFile across providers", r -> Files.isSameFile(r, Path.of("/"))));
        t.add(Scenario.of("toRealPath", r -> {
            dir(r, "d/e");
            link(r, "l", "d");
            file(r, "d/e/f", "x");
            Path p = r.resolve("l/./e/../e/f");
            return List.of(p.toRealPath(), p.toRealPath(NOFOLLOW_LINKS), r.resolve("l").toRealPath(NOFOLLOW_LINKS),
                    attempt(() -> r.resolve("m/x").toRealPath()), attempt(() -> r.resolve("l/../m").toRealPath(NOFOLLOW_LINKS)));
        })
                .notOnJimfs("jimfs resolves links in toRealPath(NOFOLLOW_LINKS)"));
        t.add(Scenario.of("getFileStore", r -> {
            FileStore s = Files.getFileStore(file(r, "f", "x"));
            FileStore reference = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir")));
            return List.of(s.name().equals(reference.name()), s.type().equals(reference.type()), s.isReadOnly(),
                    s.getTotalSpace() == reference.getTotalSpace(), s.getUsableSpace() > 0,
                    s.supportsFileAttributeView("basic"), s.supportsFileAttributeView("posix"),
                    s.supportsFileAttributeView("unix"), s.supportsFileAttributeView("owner"),
                    s.supportsFileAttributeView("user"), s.supportsFileAttributeView("dos"),
                    s.supportsFileAttributeView("acl"), s.supportsFileAttributeView(PosixFileAttributeView.class),
                    s.getAttribute("totalSpace").equals(reference.getTotalSpace()), s.getBlockSize());
        }).notOnJimfs(JIMFS_STORE));
        t.add(Scenario.of("getFileStore missing", r -> Files.getFileStore(r.resolve("m")))
                .notOnJimfs(JIMFS_STORE));
        t.add(Scenario.of("file system of paths", r -> {
            var fs = r.getFileSystem();
            return List.of(fs.getSeparator(), fs.isOpen(), fs.isReadOnly(), fs.supportedFileAttributeViews(),
                    r.resolve("x").getFileSystem() == fs, fs.getPath("a", "b", "", "c").toString());
        }));
    }

    private static List<Object> events(WatchKey polled, WatchKey registered) {
        List<Object> out = new ArrayList<>();
        out.add(polled == registered);
        if (polled != null) {
            for (WatchEvent<?> e : polled.pollEvents()) out.add(e.kind().name() + " " + e.context() + " " + e.count());
            out.add(polled.reset());
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    static Path file(Path dir, String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    static Path dir(Path r, String name) throws IOException {
        return Files.createDirectories(r.resolve(name));
    }

    static Path link(Path r, String name, String target) throws IOException {
        return Files.createSymbolicLink(r.resolve(name), r.getFileSystem().getPath(target));
    }

    static Object attempt(Callable<?> c) {
        try {
            return c.call();
        } catch (Exception e) {
            return new Thrown(e);
        }
    }

    private static FileAttribute<?> perms(String s) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(s));
    }

    private static FileAttribute<Object> attr(String name, Object value) {
        return new FileAttribute<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Object value() {
                return value;
            }
        };
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + (i >>> 9));
        return b;
    }

    /** Every subset of {@code all}, each in the given order (option order shows in messages). */
    @SafeVarargs
    private static <E> List<Set<E>> subsets(E... all) {
        List<Set<E>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << all.length; mask++) {
            Set<E> s = new java.util.LinkedHashSet<>();
            for (int i = 0; i < all.length; i++) {
                if ((mask & 1 << i) != 0) s.add(all[i]);
            }
            out.add(s);
        }
        return out;
    }

}
