package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static io.uringfs.engine.Errno.ENODATA;
import static io.uringfs.ring.LinuxAbi.*;

/**
 * The file store (mounted file system) a file lives on, with the same answers as the default
 * provider's {@code LinuxFileStore}: name, type and read-only flag from the mount table
 * ({@code /proc/mounts} for a file's store, {@code /etc/mtab} for {@code getFileStores()}), space
 * figures from {@code statfs(2)} (a plain system call: io_uring has no opcode for it), read afresh
 * on every call.
 *
 * <p>A file's mount point is found as the JDK finds it: resolve the real path, walk up until the
 * parent's device differs from the file's, and take the first mount-table entry for that directory.
 *
 * <p>Thread safety: immutable apart from the cached extended-attribute probe (a benign race).
 */
final class UringFileStore extends FileStore {
    private static final Charset JNU = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    private static final int PATH_MAX = 4096 + 1;

    private final UringPath file;
    private final long dev;
    private final MountEntry entry;
    private volatile Boolean xattrEnabled;

    private UringFileStore(UringPath file, long dev, MountEntry entry) {
        this.file = file;
        this.dev = dev;
        this.entry = entry;
    }

    /** The store of {@code file} ({@code Files.getFileStore}). */
    static UringFileStore of(UringPath file) throws IOException {
        long dev = devFor(file);
        return new UringFileStore(file, dev, findMountEntry(file, dev));
    }

    /** The stores of every mount-table entry, as {@code FileSystem.getFileStores()}; re-read per iteration. */
    static Iterable<java.nio.file.FileStore> all(UringFileSystem fs) {
        return () -> {
            List<java.nio.file.FileStore> stores = new ArrayList<>();
            for (MountEntry e : MountTable.read("/etc/mtab", JNU)) {
                if (e.isIgnored()) continue;
                UringPath dir = new UringPath(fs, e.dir());
                try {
                    stores.add(new UringFileStore(dir, devFor(dir), e));
                } catch (IOException skipped) {
                    // mount points we cannot stat are left out, as by the JDK
                }
            }
            Iterator<java.nio.file.FileStore> it = stores.iterator();
            return new Iterator<>() {
                @Override public boolean hasNext() { return it.hasNext(); }
                @Override public java.nio.file.FileStore next() { return it.next(); }
            };
        };
    }

    /** st_dev of {@code file} (following links), as glibc's makedev builds it from statx's major/minor. */
    private static long devFor(UringPath file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_STRUCT_SIZE, 8);
            int r = file.getFileSystem().io().statx(AT_FDCWD, file.toCString(arena), 0, 0, buf);
            if (r < 0) throw Errno.toException(-r, file.pathForMessage());
            long major = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR));
            long minor = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STX_DEV_MINOR));
            return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                    | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        }
    }

    private static MountEntry findMountEntry(UringPath file, long dev) throws IOException {
        UringPath path = new UringPath(file.getFileSystem(), realpath(file));
        List<MountEntry> mounts = MountTable.read("/proc/mounts", JNU);
        for (UringPath parent = path.getParent(); parent != null; path = parent, parent = parent.getParent()) {
            if (devFor(parent) != dev) {
                MountEntry e = find(mounts, path);
                if (e != null) return e;
            }
        }
        MountEntry e = find(mounts, path);
        if (e != null) return e;
        throw new IOException("Mount point not found");
    }

    private static MountEntry find(List<MountEntry> mounts, UringPath dir) {
        for (MountEntry e : mounts) {
            if (e.isMountPoint(dir.bytes())) return e;
        }
        return null;
    }

    private static byte[] realpath(UringPath file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment resolved = arena.allocate(PATH_MAX);
            int r = Syscalls.realpath(file.toCString(arena), resolved);
            if (r < 0) throw Errno.toException(-r, file.pathForMessage());
            return cString(resolved);
        }
    }

    private static byte[] cString(MemorySegment s) {
        long n = 0;
        while (s.get(ValueLayout.JAVA_BYTE, n) != 0) n++;
        return s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    // ---- figures ----

    /** statfs of the store's file: {block size, total, free, available blocks}. */
    private long[] statfs() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATFS_STRUCT_SIZE, 8);
            int r = Syscalls.statfs(file.toCString(arena), buf);
            if (r < 0) throw Errno.toException(-r, file.pathForMessage());
            long frsize = buf.get(ValueLayout.JAVA_LONG, F_FRSIZE);
            // statvfs(3) reports f_frsize, falling back to f_bsize where the kernel leaves it 0
            long blockSize = frsize != 0 ? frsize : buf.get(ValueLayout.JAVA_LONG, F_BSIZE);
            return new long[] {blockSize, buf.get(ValueLayout.JAVA_LONG, F_BLOCKS),
                    buf.get(ValueLayout.JAVA_LONG, F_BFREE), buf.get(ValueLayout.JAVA_LONG, F_BAVAIL)};
        }
    }

    private static long bytes(long blockSize, long blocks) {
        try {
            return Math.multiplyExact(blockSize, blocks);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String name() {
        return entry.name();
    }

    @Override
    public String type() {
        return entry.type();
    }

    @Override
    public boolean isReadOnly() {
        return entry.isReadOnly();
    }

    @Override
    public long getTotalSpace() throws IOException {
        long[] s = statfs();
        return bytes(s[0], s[1]);
    }

    @Override
    public long getUsableSpace() throws IOException {
        long[] s = statfs();
        return bytes(s[0], s[3]);
    }

    @Override
    public long getUnallocatedSpace() throws IOException {
        long[] s = statfs();
        return bytes(s[0], s[2]);
    }

    @Override
    public long getBlockSize() throws IOException {
        return statfs()[0];
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
        if (attribute.equals("totalSpace")) return getTotalSpace();
        if (attribute.equals("usableSpace")) return getUsableSpace();
        if (attribute.equals("unallocatedSpace")) return getUnallocatedSpace();
        throw new UnsupportedOperationException("'" + attribute + "' not recognized");
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        if (type == null) throw new NullPointerException();
        return null;
    }

    // ---- views: the JDK's answers (it ships no fstypes.properties, so only the rules below apply) ----

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        if (type == null) throw new NullPointerException();
        if (type == DosFileAttributeView.class || type == UserDefinedFileAttributeView.class) {
            if (entry.hasOption("user_xattr")) return true;
            if (entry.hasOption("nouser_xattr")) return false;
            if (entry.type().equals("ext4")) return true;
            Boolean enabled = xattrEnabled;
            if (enabled == null) xattrEnabled = enabled = probeXattrs();
            return enabled;
        }
        if (type == PosixFileAttributeView.class && entry.type().equals("vfat")) return false;
        return type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return switch (name) {
            case "basic", "unix" -> true;
            case "posix" -> supportsFileAttributeView(PosixFileAttributeView.class);
            case "owner" -> supportsFileAttributeView(FileOwnerAttributeView.class);
            case "dos" -> supportsFileAttributeView(DosFileAttributeView.class);
            case "user" -> supportsFileAttributeView(UserDefinedFileAttributeView.class);
            default -> false;
        };
    }

    /** Whether the mount point answers a user xattr query with a value or "no such attribute". */
    private boolean probeXattrs() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] dir = entry.dir();
            MemorySegment path = arena.allocate(dir.length + 1L);
            MemorySegment.copy(dir, 0, path, ValueLayout.JAVA_BYTE, 0, dir.length);
            int fd = Syscalls.openat(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) return false;
            try {
                long r = Syscalls.fgetxattr(fd, arena.allocateFrom("user.java"), MemorySegment.NULL, 0);
                return r >= 0 || r == -ENODATA;
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    // ---- identity, as UnixFileStore ----

    @Override
    public boolean equals(Object ob) {
        if (ob == this) return true;
        return ob instanceof UringFileStore other && dev == other.dev
                && java.util.Arrays.equals(entry.dir(), other.entry.dir()) && entry.name().equals(other.entry.name());
    }

    @Override
    public int hashCode() {
        return (int) (dev ^ (dev >>> 32)) ^ entry.dirHashCode();
    }

    @Override
    public String toString() {
        return entry.dirString(JNU) + " (" + entry.name() + ")";
    }
}
