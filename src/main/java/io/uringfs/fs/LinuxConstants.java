package io.uringfs.fs;

/**
 * The Linux ABI constants of the path operations (open flags, *at flags, access modes, mode bits),
 * as in {@code <fcntl.h>} and {@code <sys/stat.h>} on x86_64 and aarch64.
 */
final class LinuxConstants {
    private LinuxConstants() {}

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int AT_EMPTY_PATH = 0x1000;

    static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0100, O_EXCL = 0200;
    static final int O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;

    static final int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

    static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
            S_IFBLK = 0060000, S_IFREG = 0100000, S_IFLNK = 0120000;
    /** The permission bits (S_IAMB in the JDK): rwx for owner, group, others. */
    static final int S_IAMB = 0777;

    static final int XATTR_NAME_MAX = 255;
}
