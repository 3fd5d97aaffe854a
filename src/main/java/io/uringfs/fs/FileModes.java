package io.uringfs.fs;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permission sets to and from mode bits, and the initial-attribute rule of the default provider:
 * only {@code posix:permissions} / {@code unix:permissions} are accepted when creating a file; any
 * other attribute is an {@link UnsupportedOperationException} with the JDK's message.
 */
final class FileModes {
    private FileModes() {}

    /** rwxrwxrwx: the mode a new directory asks for (the umask applies). */
    static final int ALL_PERMISSIONS = 0777;
    /** rw-rw-rw-: the mode a new file asks for. */
    static final int ALL_READWRITE = 0666;

    private static final PosixFilePermission[] BY_BIT = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    static int toMode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            if (perm == null) throw new NullPointerException();
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    static Set<PosixFilePermission> toPermissions(int mode) {
        EnumSet<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) perms.add(BY_BIT[bit]);
        }
        return perms;
    }

    /** The mode for a new file: {@code defaultMode}, or the permissions of the (last) attribute. */
    @SuppressWarnings("unchecked")
    static int toMode(int defaultMode, FileAttribute<?>... attrs) {
        int mode = defaultMode;
        for (FileAttribute<?> attr : attrs) {
            String name = attr.name();
            if (!name.equals("posix:permissions") && !name.equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + name + "' not supported as initial attribute");
            }
            mode = toMode((Set<PosixFilePermission>) attr.value());
        }
        return mode;
    }
}
