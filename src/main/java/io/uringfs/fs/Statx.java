package io.uringfs.fs;

import io.uringfs.engine.Io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * statx(2) through the {@link Io} dispatcher (IORING_OP_STATX when the kernel has it), decoded
 * into {@link UringFileAttributes}. Asks for {@code STATX_BASIC_STATS | STATX_BTIME} with
 * {@code AT_STATX_SYNC_AS_STAT}, exactly what the JDK's Linux {@code stat} wrapper asks for, so the
 * values (birth time only when the file system reports it) are those the default provider sees.
 *
 * <p>Layout of {@code struct statx} (256 bytes, identical on every architecture): offsets below.
 * The device numbers come split into major/minor and are recombined with glibc's
 * {@code makedev} so that {@code unix:dev}/{@code unix:rdev} equal {@code st_dev}/{@code st_rdev}.
 *
 * <p>Thread safety: stateless; the buffer lives in a confined arena for one call.
 */
final class Statx {
    private Statx() {}

    static final int STATX_BASIC_STATS = 0x7ff;
    static final int STATX_BTIME = 0x800;
    static final int AT_STATX_SYNC_AS_STAT = 0;

    private static final long SIZE = 256;
    private static final long MASK = 0, NLINK = 16, UID = 20, GID = 24, MODE = 28, INO = 32, SIZE_OFF = 40;
    private static final long ATIME = 64, BTIME = 80, CTIME = 96, MTIME = 112;
    private static final long RDEV_MAJOR = 128, RDEV_MINOR = 132, DEV_MAJOR = 136, DEV_MINOR = 140;

    /** statx of {@code path} (relative to {@code dirfd}) with {@code flags} (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
    static UringFileAttributes stat(Io io, int dirfd, MemorySegment path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SIZE, 8);
            ErrnoException.check(io.statx(dirfd, path, flags | AT_STATX_SYNC_AS_STAT,
                    STATX_BASIC_STATS | STATX_BTIME, buf));
            return decode(buf);
        }
    }

    /** statx of an open file descriptor (AT_EMPTY_PATH), the fstat equivalent. */
    static UringFileAttributes fstat(Io io, int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return stat(io, fd, arena.allocate(1), LinuxConstants.AT_EMPTY_PATH);
        }
    }

    private static UringFileAttributes decode(MemorySegment b) {
        return new UringFileAttributes(
                Short.toUnsignedInt(b.get(JAVA_SHORT, MODE)),
                b.get(JAVA_LONG, INO),
                makedev(b.get(JAVA_INT, DEV_MAJOR), b.get(JAVA_INT, DEV_MINOR)),
                makedev(b.get(JAVA_INT, RDEV_MAJOR), b.get(JAVA_INT, RDEV_MINOR)),
                b.get(JAVA_INT, NLINK), b.get(JAVA_INT, UID), b.get(JAVA_INT, GID),
                b.get(JAVA_LONG, SIZE_OFF),
                b.get(JAVA_LONG, ATIME), Integer.toUnsignedLong(b.get(JAVA_INT, ATIME + 8)),
                b.get(JAVA_LONG, MTIME), Integer.toUnsignedLong(b.get(JAVA_INT, MTIME + 8)),
                b.get(JAVA_LONG, CTIME), Integer.toUnsignedLong(b.get(JAVA_INT, CTIME + 8)),
                b.get(JAVA_LONG, BTIME), Integer.toUnsignedLong(b.get(JAVA_INT, BTIME + 8)),
                (b.get(JAVA_INT, MASK) & STATX_BTIME) != 0);
    }

    /** glibc's gnu_dev_makedev. */
    static long makedev(int major, int minor) {
        long maj = Integer.toUnsignedLong(major), min = Integer.toUnsignedLong(minor);
        return ((maj & 0xfffff000L) << 32) | ((maj & 0xfffL) << 8) | ((min & 0xffffff00L) << 12) | (min & 0xffL);
    }
}
