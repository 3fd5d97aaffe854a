package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.lang.foreign.Arena;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * A snapshot of a file's attributes (one statx), with the exact values and value types of the
 * JDK's {@code UnixFileAttributes}: times keep nanoseconds, {@code creationTime} is the birth time
 * when the file system reports one and otherwise the last-modified time, the file key is (dev, ino).
 *
 * <p>{@link #asBasic()} hides the owner information behind a plain {@link BasicFileAttributes},
 * as the default provider does for the basic view.
 *
 * <p>Thread safety: immutable; owner and group names are resolved lazily (benign race: at worst
 * resolved twice, to equal principals).
 */
final class UringFileAttributes implements PosixFileAttributes {
    private final int mode;
    private final long ino, dev, rdev;
    private final int nlink, uid, gid;
    private final long size;
    private final long atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, btimeSec, btimeNsec;
    private final boolean btimeAvailable;

    private volatile UserPrincipal owner;
    private volatile GroupPrincipal group;

    UringFileAttributes(int mode, long ino, long dev, long rdev, int nlink, int uid, int gid, long size,
                        long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
                        long ctimeSec, long ctimeNsec, long btimeSec, long btimeNsec, boolean btimeAvailable) {
        this.mode = mode;
        this.ino = ino;
        this.dev = dev;
        this.rdev = rdev;
        this.nlink = nlink;
        this.uid = uid;
        this.gid = gid;
        this.size = size;
        this.atimeSec = atimeSec;
        this.atimeNsec = atimeNsec;
        this.mtimeSec = mtimeSec;
        this.mtimeNsec = mtimeNsec;
        this.ctimeSec = ctimeSec;
        this.ctimeNsec = ctimeNsec;
        this.btimeSec = btimeSec;
        this.btimeNsec = btimeNsec;
        this.btimeAvailable = btimeAvailable;
    }

    /** stat (followLinks) or lstat of {@code file}. */
    static UringFileAttributes get(UringPath file, boolean followLinks) throws ErrnoException {
        Io io = file.getFileSystem().io();
        try (Arena arena = Arena.ofConfined()) {
            return Statx.stat(io, AT_FDCWD, file.toCString(arena), followLinks ? 0 : AT_SYMLINK_NOFOLLOW);
        }
    }

    /** stat of {@code file}, or null if it does not exist (ENOENT). */
    static UringFileAttributes getIfExists(UringPath file) throws ErrnoException {
        try {
            return get(file, true);
        } catch (ErrnoException x) {
            if (x.errno() == Errno.ENOENT) return null;
            throw x;
        }
    }

    /** fstat of an open file. */
    static UringFileAttributes get(Io io, int fd) throws ErrnoException {
        return Statx.fstat(io, fd);
    }

    boolean isSameFile(UringFileAttributes other) {
        return ino == other.ino && dev == other.dev;
    }

    int mode() { return mode; }
    long ino() { return ino; }
    long dev() { return dev; }
    long rdev() { return rdev; }
    int nlink() { return nlink; }
    int uid() { return uid; }
    int gid() { return gid; }

    FileTime ctime() {
        return toFileTime(ctimeSec, ctimeNsec);
    }

    /** Character or block device, or FIFO: what a move across file systems recreates with mknod. */
    boolean isDevice() {
        int type = mode & S_IFMT;
        return type == S_IFCHR || type == S_IFBLK || type == S_IFIFO;
    }

    /** Whole seconds as SECONDS (so {@code toString} shows no fraction), otherwise nanoseconds. */
    private static FileTime toFileTime(long sec, long nsec) {
        if (nsec == 0) return FileTime.from(sec, TimeUnit.SECONDS);
        try {
            return FileTime.from(Math.addExact(nsec, Math.multiplyExact(sec, 1_000_000_000L)), TimeUnit.NANOSECONDS);
        } catch (ArithmeticException overflow) {
            return FileTime.from(sec * 1_000_000L + nsec / 1_000L, TimeUnit.MICROSECONDS);
        }
    }

    @Override public FileTime lastModifiedTime() { return toFileTime(mtimeSec, mtimeNsec); }
    @Override public FileTime lastAccessTime() { return toFileTime(atimeSec, atimeNsec); }

    @Override
    public FileTime creationTime() {
        return btimeAvailable ? toFileTime(btimeSec, btimeNsec) : lastModifiedTime();
    }

    @Override public boolean isRegularFile() { return (mode & S_IFMT) == S_IFREG; }
    @Override public boolean isDirectory() { return (mode & S_IFMT) == S_IFDIR; }
    @Override public boolean isSymbolicLink() { return (mode & S_IFMT) == S_IFLNK; }

    @Override
    public boolean isOther() {
        int type = mode & S_IFMT;
        return type != S_IFREG && type != S_IFDIR && type != S_IFLNK;
    }

    @Override public long size() { return size; }

    @Override
    public UringFileKey fileKey() {
        return new UringFileKey(dev, ino);
    }

    @Override
    public UserPrincipal owner() {
        UserPrincipal o = owner;
        if (o == null) owner = o = UringUserPrincipals.fromUid(uid);
        return o;
    }

    @Override
    public GroupPrincipal group() {
        GroupPrincipal g = group;
        if (g == null) group = g = UringUserPrincipals.fromGid(gid);
        return g;
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return FileModes.toPermissions(mode);
    }

    /** This snapshot as plain basic attributes (no owner information reachable by casting). */
    BasicFileAttributes asBasic() {
        UringFileAttributes a = this;
        return new BasicFileAttributes() {
            @Override public FileTime lastModifiedTime() { return a.lastModifiedTime(); }
            @Override public FileTime lastAccessTime() { return a.lastAccessTime(); }
            @Override public FileTime creationTime() { return a.creationTime(); }
            @Override public boolean isRegularFile() { return a.isRegularFile(); }
            @Override public boolean isDirectory() { return a.isDirectory(); }
            @Override public boolean isSymbolicLink() { return a.isSymbolicLink(); }
            @Override public boolean isOther() { return a.isOther(); }
            @Override public long size() { return a.size(); }
            @Override public Object fileKey() { return a.fileKey(); }
        };
    }
}
