package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.uringfs.ring.LinuxAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The attribute views of uring paths, as the default provider offers them on Linux: {@code basic},
 * {@code posix}, {@code unix}, {@code owner}, {@code user} ({@link UringUserDefinedFileAttributeView})
 * and {@code dos} ({@link UringDosFileAttributeView}); plus the provider's entry points that pick a
 * view by class or by name, so that every view check and exception is the JDK's
 * ({@code UnixFileSystemProvider}, {@code LinuxFileSystemProvider}, {@code UnixFileAttributeViews}).
 *
 * <p>Which system call does what: reads are one statx (ring); times are set with futimens on a
 * descriptor opened for attribute access, else utimensat; permissions with fchmodat (following) or
 * fchmod on a descriptor; owners with fchownat. Those have no io_uring opcode, so they are plain
 * system calls (see {@link Io}).
 *
 * <p>Thread safety: views are immutable and hold no descriptor between calls.
 */
final class UringFileAttributeViews {
    private UringFileAttributeViews() {}

    static final int UTIME_OMIT = (1 << 30) - 2;

    // ---- provider entry points ----

    static boolean followLinks(LinkOption... options) {
        boolean follow = true;
        for (LinkOption option : options) {
            if (option == LinkOption.NOFOLLOW_LINKS) follow = false;
            else if (option == null) throw new NullPointerException();
            else throw new AssertionError("Should not get here");
        }
        return follow;
    }

    /** FileSystemProvider.getFileAttributeView(Path, Class, LinkOption...). */
    @SuppressWarnings("unchecked")
    static <V extends FileAttributeView> V getFileAttributeView(Path obj, Class<V> type, LinkOption... options) {
        if (type == DosFileAttributeView.class) {
            return (V) new UringDosFileAttributeView(UringPath.toUringPath(obj), followLinks(options));
        }
        if (type == UserDefinedFileAttributeView.class) {
            return (V) new UringUserDefinedFileAttributeView(UringPath.toUringPath(obj), followLinks(options));
        }
        UringPath file = UringPath.toUringPath(obj);
        boolean follow = followLinks(options);
        if (type == BasicFileAttributeView.class) return (V) new Basic(file, follow);
        if (type == PosixFileAttributeView.class) return (V) new Posix(file, follow);
        if (type == FileOwnerAttributeView.class) return (V) new Owner(new Posix(file, follow));
        if (type == null) throw new NullPointerException();
        return null;
    }

    /** FileSystemProvider.readAttributes(Path, Class, LinkOption...). */
    @SuppressWarnings("unchecked")
    static <A extends BasicFileAttributes> A readAttributes(Path file, Class<A> type, LinkOption... options)
            throws IOException {
        Class<? extends BasicFileAttributeView> view;
        if (type == DosFileAttributes.class) view = DosFileAttributeView.class;
        else if (type == BasicFileAttributes.class) view = BasicFileAttributeView.class;
        else if (type == PosixFileAttributes.class) view = PosixFileAttributeView.class;
        else if (type == null) throw new NullPointerException();
        else throw new UnsupportedOperationException();
        return (A) getFileAttributeView(file, view, options).readAttributes();
    }

    /** The view called {@code name}, or null. */
    static DynamicFileAttributeView byName(Path obj, String name, LinkOption... options) {
        UringPath file = UringPath.toUringPath(obj);
        boolean follow = followLinks(options);
        return switch (name) {
            case "dos" -> new UringDosFileAttributeView(file, follow);
            case "user" -> new UringUserDefinedFileAttributeView(file, follow);
            case "basic" -> new Basic(file, follow);
            case "posix" -> new Posix(file, follow);
            case "unix" -> new Unix(file, follow);
            case "owner" -> new Owner(new Posix(file, follow));
            default -> null;
        };
    }

    /** Splits "view:attrs" ("basic" when there is no view). */
    private static String[] split(String attribute) {
        int pos = attribute.indexOf(':');
        if (pos == -1) return new String[] {"basic", attribute};
        return new String[] {attribute.substring(0, pos), attribute.substring(pos + 1)};
    }

    private static DynamicFileAttributeView view(Path file, String attribute, String[] s, LinkOption... options) {
        if (s[0].isEmpty()) throw new IllegalArgumentException(attribute);
        DynamicFileAttributeView view = byName(file, s[0], options);
        if (view == null) throw new UnsupportedOperationException("View '" + s[0] + "' not available");
        return view;
    }

    /** FileSystemProvider.readAttributes(Path, String, LinkOption...). */
    static Map<String, Object> readAttributes(Path file, String attributes, LinkOption... options) throws IOException {
        String[] s = split(attributes);
        return view(file, attributes, s, options).readAttributes(s[1].split(","));
    }

    /** FileSystemProvider.setAttribute(Path, String, Object, LinkOption...). */
    static void setAttribute(Path file, String attribute, Object value, LinkOption... options) throws IOException {
        String[] s = split(attribute);
        view(file, attribute, s, options).setAttribute(s[1], value);
    }

    // ---- descriptors for attribute access ----

    /** open(O_RDONLY [| O_NOFOLLOW]) as the JDK's openForAttributeAccess. */
    static int openForAttributeAccess(UringPath file, boolean followLinks) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return ErrnoException.check(file.getFileSystem().io().openat(AT_FDCWD, file.toCString(arena),
                    O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW), 0));
        }
    }

    static void closeQuietly(Io io, int fd) {
        if (fd >= 0) io.close(fd);
    }

    // ---- names and the builder of by-name results ----

    static final String SIZE = "size", CREATION_TIME = "creationTime", LAST_ACCESS_TIME = "lastAccessTime",
            LAST_MODIFIED_TIME = "lastModifiedTime", FILE_KEY = "fileKey", IS_DIRECTORY = "isDirectory",
            IS_REGULAR_FILE = "isRegularFile", IS_SYMBOLIC_LINK = "isSymbolicLink", IS_OTHER = "isOther";
    static final Set<String> BASIC_NAMES = Set.of(SIZE, CREATION_TIME, LAST_ACCESS_TIME, LAST_MODIFIED_TIME,
            FILE_KEY, IS_DIRECTORY, IS_REGULAR_FILE, IS_SYMBOLIC_LINK, IS_OTHER);

    static Set<String> union(Set<String> base, String... more) {
        Set<String> s = new HashSet<>(base);
        Collections.addAll(s, more);
        return Set.copyOf(s);
    }

    /** Collects the requested attributes ("*" = all); an unknown name is rejected up front. */
    static final class AttributesBuilder {
        private final Set<String> names = new HashSet<>();
        private final Map<String, Object> map = new HashMap<>();
        private boolean all;

        AttributesBuilder(Set<String> allowed, String[] requested) {
            for (String name : requested) {
                if (name.equals("*")) {
                    all = true;
                } else {
                    if (!allowed.contains(name)) throw new IllegalArgumentException("'" + name + "' not recognized");
                    names.add(name);
                }
            }
        }

        boolean match(String name) {
            return all || names.contains(name);
        }

        void add(String name, Object value) {
            map.put(name, value);
        }

        Map<String, Object> unmodifiableMap() {
            return Collections.unmodifiableMap(map);
        }

        void addBasic(BasicFileAttributes attrs) {
            if (match(SIZE)) add(SIZE, attrs.size());
            if (match(CREATION_TIME)) add(CREATION_TIME, attrs.creationTime());
            if (match(LAST_ACCESS_TIME)) add(LAST_ACCESS_TIME, attrs.lastAccessTime());
            if (match(LAST_MODIFIED_TIME)) add(LAST_MODIFIED_TIME, attrs.lastModifiedTime());
            if (match(FILE_KEY)) add(FILE_KEY, attrs.fileKey());
            if (match(IS_DIRECTORY)) add(IS_DIRECTORY, attrs.isDirectory());
            if (match(IS_REGULAR_FILE)) add(IS_REGULAR_FILE, attrs.isRegularFile());
            if (match(IS_SYMBOLIC_LINK)) add(IS_SYMBOLIC_LINK, attrs.isSymbolicLink());
            if (match(IS_OTHER)) add(IS_OTHER, attrs.isOther());
        }
    }

    // ---- views ----

    /** basic: one statx per read; times set through a descriptor when the file can be opened. */
    static class Basic implements BasicFileAttributeView, DynamicFileAttributeView {
        final UringPath file;
        final boolean followLinks;

        Basic(UringPath file, boolean followLinks) {
            this.file = file;
            this.followLinks = followLinks;
        }

        @Override
        public String name() {
            return "basic";
        }

        /** The basic and posix views (not dos) report a file below a non-directory as missing, like the JDK. */
        UringFileAttributes stat() throws IOException {
            try {
                return UringFileAttributes.get(file, followLinks);
            } catch (ErrnoException x) {
                throw (x.errno() == Errno.ENOTDIR ? new ErrnoException(Errno.ENOENT) : x).toIOException(file);
            }
        }

        @Override
        public BasicFileAttributes readAttributes() throws IOException {
            return stat().asBasic();
        }

        @Override
        public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
                throws IOException {
            if (lastModifiedTime == null && lastAccessTime == null) return;   // creation time cannot be set
            Io io = file.getFileSystem().io();
            // a descriptor pins the file between reading and setting; a link (ELOOP with
            // NOFOLLOW_LINKS) or a socket/device (ENXIO) falls back to the path
            int fd = -1;
            try {
                fd = openForAttributeAccess(file, followLinks);
            } catch (ErrnoException x) {
                if (x.errno() != Errno.ELOOP && x.errno() != Errno.ENXIO) throw x.toIOException(file);
            }
            try (Arena arena = Arena.ofConfined()) {
                if (lastModifiedTime == null || lastAccessTime == null) {
                    try {
                        UringFileAttributes attrs = fd >= 0 ? UringFileAttributes.get(io, fd)
                                                            : UringFileAttributes.get(file, followLinks);
                        if (lastModifiedTime == null) lastModifiedTime = attrs.lastModifiedTime();
                        if (lastAccessTime == null) lastAccessTime = attrs.lastAccessTime();
                    } catch (ErrnoException x) {
                        throw x.toIOException(file);
                    }
                }
                long mod = lastModifiedTime.to(TimeUnit.NANOSECONDS);
                long access = lastAccessTime.to(TimeUnit.NANOSECONDS);
                MemorySegment path = fd >= 0 ? null : file.toCString(arena);
                MemorySegment times = arena.allocate(32, 8);
                int r = setTimes(io, fd, path, times, access, mod);
                // times before the epoch with a fraction become a negative tv_nsec, which the
                // kernel refuses: the JDK then retries with such times clamped to the epoch
                if (r == -Errno.EINVAL && (mod < 0 || access < 0)) {
                    r = setTimes(io, fd, path, times, Math.max(access, 0), Math.max(mod, 0));
                }
                if (r < 0) throw Errno.toException(-r, file.pathForMessage(), null);
            } finally {
                closeQuietly(io, fd);
            }
        }

        private int setTimes(Io io, int fd, MemorySegment path, MemorySegment times, long access, long mod) {
            // C division (truncating), as the JDK's native code converts nanoseconds to timespec
            times.set(JAVA_LONG, 0, access / 1_000_000_000L);
            times.set(JAVA_LONG, 8, access % 1_000_000_000L);
            times.set(JAVA_LONG, 16, mod / 1_000_000_000L);
            times.set(JAVA_LONG, 24, mod % 1_000_000_000L);
            return fd >= 0 ? io.futimens(fd, times)
                           : io.utimensat(AT_FDCWD, path, times, followLinks ? 0 : AT_SYMLINK_NOFOLLOW);
        }

        @Override
        public void setAttribute(String attribute, Object value) throws IOException {
            switch (attribute) {
                case LAST_MODIFIED_TIME -> setTimes((FileTime) value, null, null);
                case LAST_ACCESS_TIME -> setTimes(null, (FileTime) value, null);
                case CREATION_TIME -> setTimes(null, null, (FileTime) value);
                default -> throw new IllegalArgumentException("'" + name() + ":" + attribute + "' not recognized");
            }
        }

        @Override
        public Map<String, Object> readAttributes(String[] requested) throws IOException {
            AttributesBuilder builder = new AttributesBuilder(BASIC_NAMES, requested);
            builder.addBasic(readAttributes());
            return builder.unmodifiableMap();
        }
    }

    /** posix: basic plus permissions, owner, group. */
    static class Posix extends Basic implements PosixFileAttributeView {
        static final String PERMISSIONS = "permissions", OWNER = "owner", GROUP = "group";
        static final Set<String> POSIX_NAMES = union(BASIC_NAMES, PERMISSIONS, OWNER, GROUP);

        Posix(UringPath file, boolean followLinks) {
            super(file, followLinks);
        }

        @Override
        public String name() {
            return "posix";
        }

        @Override
        public UringFileAttributes readAttributes() throws IOException {
            return stat();
        }

        @Override
        @SuppressWarnings("unchecked")
        public void setAttribute(String attribute, Object value) throws IOException {
            switch (attribute) {
                case PERMISSIONS -> setPermissions((Set<PosixFilePermission>) value);
                case OWNER -> setOwner((UserPrincipal) value);
                case GROUP -> setGroup((GroupPrincipal) value);
                default -> super.setAttribute(attribute, value);
            }
        }

        final void addPosix(PosixFileAttributes attrs, AttributesBuilder builder) {
            builder.addBasic(attrs);
            if (builder.match(PERMISSIONS)) builder.add(PERMISSIONS, attrs.permissions());
            if (builder.match(OWNER)) builder.add(OWNER, attrs.owner());
            if (builder.match(GROUP)) builder.add(GROUP, attrs.group());
        }

        @Override
        public Map<String, Object> readAttributes(String[] requested) throws IOException {
            AttributesBuilder builder = new AttributesBuilder(POSIX_NAMES, requested);
            addPosix(readAttributes(), builder);
            return builder.unmodifiableMap();
        }

        /**
         * chmod. Without following links the JDK opens the file (read, else write access) and uses
         * fchmod; its open passes O_NOFOLLOW as the mode argument, so it follows a final link after
         * all (changing the target's permissions). We open the same way to give the same result.
         */
        final void setMode(int mode) throws IOException {
            Io io = file.getFileSystem().io();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment path = file.toCString(arena);
                if (followLinks) {
                    int r = io.fchmodat(AT_FDCWD, path, mode, 0);
                    if (r < 0) throw Errno.toException(-r, file.pathForMessage(), null);
                    return;
                }
                int fd = io.openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
                if (fd == -Errno.EACCES) fd = io.openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
                if (fd < 0) throw Errno.toException(-fd, file.pathForMessage(), null);
                int r = io.fchmod(fd, mode);
                io.close(fd);
                if (r < 0) throw Errno.toException(-r, file.pathForMessage(), null);
            }
        }

        /** chown or lchown; -1 leaves an id unchanged. */
        final void setOwners(int uid, int gid) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                int r = file.getFileSystem().io().fchownat(AT_FDCWD, file.toCString(arena), uid, gid,
                        followLinks ? 0 : AT_SYMLINK_NOFOLLOW);
                if (r < 0) throw Errno.toException(-r, file.pathForMessage(), null);
            }
        }

        @Override
        public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
            setMode(FileModes.toMode(perms));
        }

        @Override
        public void setOwner(UserPrincipal owner) throws IOException {
            if (owner == null) throw new NullPointerException("'owner' is null");
            if (!(owner instanceof UringUserPrincipals.User user)) throw new ProviderMismatchException();
            if (owner instanceof UringUserPrincipals.Group) throw new IOException("'owner' parameter can't be a group");
            setOwners(user.id(), -1);
        }

        @Override
        public UserPrincipal getOwner() throws IOException {
            return readAttributes().owner();
        }

        @Override
        public void setGroup(GroupPrincipal group) throws IOException {
            if (group == null) throw new NullPointerException("'owner' is null");
            if (!(group instanceof UringUserPrincipals.Group g)) throw new ProviderMismatchException();
            setOwners(-1, g.id());
        }
    }

    /** unix: posix plus mode, ino, dev, rdev, nlink, uid, gid, ctime (by name only). */
    static final class Unix extends Posix {
        static final String MODE = "mode", INO = "ino", DEV = "dev", RDEV = "rdev", NLINK = "nlink",
                UID = "uid", GID = "gid", CTIME = "ctime";
        static final Set<String> UNIX_NAMES = union(POSIX_NAMES, MODE, INO, DEV, RDEV, NLINK, UID, GID, CTIME);

        Unix(UringPath file, boolean followLinks) {
            super(file, followLinks);
        }

        @Override
        public String name() {
            return "unix";
        }

        @Override
        public void setAttribute(String attribute, Object value) throws IOException {
            switch (attribute) {
                case MODE -> setMode((Integer) value);
                case UID -> setOwners((Integer) value, -1);
                case GID -> setOwners(-1, (Integer) value);
                default -> super.setAttribute(attribute, value);
            }
        }

        @Override
        public Map<String, Object> readAttributes(String[] requested) throws IOException {
            AttributesBuilder builder = new AttributesBuilder(UNIX_NAMES, requested);
            UringFileAttributes attrs = readAttributes();
            addPosix(attrs, builder);
            if (builder.match(MODE)) builder.add(MODE, attrs.mode());
            if (builder.match(INO)) builder.add(INO, attrs.ino());
            if (builder.match(DEV)) builder.add(DEV, attrs.dev());
            if (builder.match(RDEV)) builder.add(RDEV, attrs.rdev());
            if (builder.match(NLINK)) builder.add(NLINK, attrs.nlink());
            if (builder.match(UID)) builder.add(UID, attrs.uid());
            if (builder.match(GID)) builder.add(GID, attrs.gid());
            if (builder.match(CTIME)) builder.add(CTIME, attrs.ctime());
            return builder.unmodifiableMap();
        }
    }

    /** owner: the owner of the posix view, alone. */
    static final class Owner implements FileOwnerAttributeView, DynamicFileAttributeView {
        private static final String OWNER = "owner";
        private final Posix view;

        Owner(Posix view) {
            this.view = view;
        }

        @Override
        public String name() {
            return "owner";
        }

        @Override
        public UserPrincipal getOwner() throws IOException {
            return view.readAttributes().owner();
        }

        @Override
        public void setOwner(UserPrincipal owner) throws IOException {
            view.setOwner(owner);
        }

        @Override
        public void setAttribute(String attribute, Object value) throws IOException {
            if (!attribute.equals(OWNER)) {
                throw new IllegalArgumentException("'" + name() + ":" + attribute + "' not recognized");
            }
            setOwner((UserPrincipal) value);
        }

        @Override
        public Map<String, Object> readAttributes(String[] attributes) throws IOException {
            Map<String, Object> result = new HashMap<>();
            for (String attribute : attributes) {
                if (!attribute.equals("*") && !attribute.equals(OWNER)) {
                    throw new IllegalArgumentException("'" + name() + ":" + attribute + "' not recognized");
                }
                result.put(OWNER, getOwner());
            }
            return result;
        }
    }
}
