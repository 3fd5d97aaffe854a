package io.uringfs.fs;

import io.uringfs.engine.Io;
import io.uringfs.ring.LinuxAbi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.uringfs.ring.LinuxAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * statx(2) through the {@link Io} dispatcher (IORING_OP_STATX when the kernel has it), decoded
 * into {@link UringFileAttributes}. Asks for {@code STATX_BASIC_STATS | STATX_BTIME} with
 * {@code AT_STATX_SYNC_AS_STAT}, exactly what the JDK's Linux {@code stat} wrapper asks for, so the
 * values (birth time only when the file system reports it) are those the default provider sees.
 *
 * <p>Layout of {@code struct statx} (256 bytes, identical on every architecture): offsets in
 * {@link LinuxAbi}.
 * The device numbers come split into major/minor and are recombined with glibc's
 * {@code makedev} so that {@code unix:dev}/{@code unix:rdev} equal {@code st_dev}/{@code st_rdev}.
 *
 * <p>Thread safety: stateless; the buffer lives in a confined arena for one call.
 */
final class Statx {
    private Statx() {}

    /** statx of {@code path} (relative to {@code dirfd}) with {@code flags} (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
    static UringFileAttributes stat(Io io, int dirfd, MemorySegment path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_STRUCT_SIZE, 8);
            ErrnoException.check(io.statx(dirfd, path, flags | AT_STATX_SYNC_AS_STAT,
                    STATX_BASIC_STATS | STATX_BTIME, buf));
            return decode(buf);
        }
    }

    /** statx of an open file descriptor (AT_EMPTY_PATH), the fstat equivalent. */
    static UringFileAttributes fstat(Io io, int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return stat(io, fd, arena.allocate(1), AT_EMPTY_PATH);
        }
    }

    private static UringFileAttributes decode(MemorySegment b) {
        return new UringFileAttributes(
                Short.toUnsignedInt(b.get(JAVA_SHORT, STX_MODE)),
                b.get(JAVA_LONG, STX_INO),
                makedev(b.get(JAVA_INT, STX_DEV_MAJOR), b.get(JAVA_INT, STX_DEV_MINOR)),
                makedev(b.get(JAVA_INT, STX_RDEV_MAJOR), b.get(JAVA_INT, STX_RDEV_MINOR)),
                b.get(JAVA_INT, STX_NLINK), b.get(JAVA_INT, STX_UID), b.get(JAVA_INT, STX_GID),
                b.get(JAVA_LONG, STX_SIZE),
                b.get(JAVA_LONG, STX_ATIME), Integer.toUnsignedLong(b.get(JAVA_INT, STX_ATIME + 8)),
                b.get(JAVA_LONG, STX_MTIME), Integer.toUnsignedLong(b.get(JAVA_INT, STX_MTIME + 8)),
                b.get(JAVA_LONG, STX_CTIME), Integer.toUnsignedLong(b.get(JAVA_INT, STX_CTIME + 8)),
                b.get(JAVA_LONG, STX_BTIME), Integer.toUnsignedLong(b.get(JAVA_INT, STX_BTIME + 8)),
                (b.get(JAVA_INT, STX_MASK) & STATX_BTIME) != 0);
    }

    /** glibc's gnu_dev_makedev. */
    static long makedev(int major, int minor) {
        long maj = Integer.toUnsignedLong(major), min = Integer.toUnsignedLong(minor);
        return ((maj & 0xfffff000L) << 32) | ((maj & 0xfffL) << 8) | ((min & 0xffffff00L) << 12) | (min & 0xffL);
    }
}
