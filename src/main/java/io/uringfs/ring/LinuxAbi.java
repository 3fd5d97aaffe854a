package io.uringfs.ring;

/**
 * The Linux ABI constants of the file operations outside io_uring itself ({@link IoUring} has
 * those): {@code open(2)} flags, {@code *at(2)} flags, {@code access(2)} modes, file type and
 * permission bits, {@code statx(2)} masks, the offsets in {@code struct statx} and
 * {@code struct statfs}, and one {@code ioctl(2)} request. Declared once
 * here, in the lowest package, so that {@code engine}, {@code channel} and {@code fs} share them
 * without depending on one another.
 *
 * <p>Architecture: these are the x86_64 values, the only architecture uringfs supports. Most are
 * the same on every Linux architecture ({@code asm-generic/fcntl.h}, {@code linux/stat.h},
 * {@code linux/fcntl.h}), but x86_64 keeps the generic numbering of four open flags that arm64
 * (aarch64) overrides in {@code arch/arm64/include/uapi/asm/fcntl.h} (and O_TMPFILE, which
 * includes O_DIRECTORY):
 * <pre>
 *               x86_64     aarch64
 *   O_DIRECT    0040000    0200000
 *   O_LARGEFILE 0100000    0400000   (not used here; 64-bit kernels imply it)
 *   O_DIRECTORY 0200000    0040000
 *   O_NOFOLLOW  0400000    0100000
 *   O_TMPFILE  020200000  020040000
 * </pre>
 * so on aarch64 {@link #O_DIRECTORY}, {@link #O_NOFOLLOW}, {@link #O_DIRECT} and
 * {@link #O_TMPFILE} would silently mean something else.
 * {@code struct statx} is the same on every architecture.
 *
 * <p>Thread safety: constants only.
 */
public final class LinuxAbi {
    private LinuxAbi() {}

    // <fcntl.h>: the directory file descriptor and flags of the *at calls
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_STATX_SYNC_AS_STAT = 0;

    // <fcntl.h>: open flags (x86_64 values, see above)
    public static final int O_RDONLY = 0, O_WRONLY = 01, O_RDWR = 02;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000;
    public static final int O_DSYNC = 010000, O_DIRECT = 040000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000, O_SYNC = 04010000, O_PATH = 010000000;
    public static final int O_NONBLOCK = 04000, O_NOATIME = 01000000, O_TMPFILE = 020200000;
    /** fcntl(2): get / set the file status flags (O_APPEND, O_DIRECT, O_NOATIME, O_NONBLOCK). */
    public static final int F_GETFL = 3, F_SETFL = 4;

    // <unistd.h>: access(2) modes
    public static final int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

    // <sys/stat.h>: file type and permission bits of st_mode / stx_mode
    public static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
            S_IFBLK = 0060000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFSOCK = 0140000;
    /** The permission bits (S_IAMB in the JDK): rwx for owner, group, others. */
    public static final int S_IAMB = 0777;

    // <linux/stat.h>: statx(2) masks
    public static final int STATX_TYPE = 0x1, STATX_INO = 0x100, STATX_SIZE = 0x200;
    public static final int STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;

    /** {@code struct statx}: its size, and the byte offsets of its fields. */
    public static final long STATX_STRUCT_SIZE = 256;
    public static final long STX_MASK = 0, STX_NLINK = 16, STX_UID = 20, STX_GID = 24, STX_MODE = 28, STX_INO = 32,
            STX_SIZE = 40;
    /** struct statx_timestamp {s64 tv_sec; u32 tv_nsec; s32 reserved}, 16 bytes each. */
    public static final long STX_ATIME = 64, STX_BTIME = 80, STX_CTIME = 96, STX_MTIME = 112;
    public static final long STX_RDEV_MAJOR = 128, STX_RDEV_MINOR = 132, STX_DEV_MAJOR = 136, STX_DEV_MINOR = 140;

    /** {@code struct statfs} on 64-bit Linux (x86_64 and aarch64 alike): its size, and offsets. */
    public static final long STATFS_STRUCT_SIZE = 120, F_BSIZE = 8, F_BLOCKS = 16, F_BFREE = 24, F_BAVAIL = 32,
            F_FRSIZE = 72;

    /** ioctl(2): the bytes waiting to be read ({@code asm-generic/ioctls.h}, x86_64 and aarch64 alike). */
    public static final long FIONREAD = 0x541B;

    // <linux/limits.h>
    public static final int XATTR_NAME_MAX = 255;
}
