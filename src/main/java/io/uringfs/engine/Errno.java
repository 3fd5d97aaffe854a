package io.uringfs.engine;

import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * errno values, and the one place where an errno becomes an exception, with the same types and
 * messages as the JDK's default provider ({@code sun.nio.fs.UnixException}). Operation-specific
 * mappings (ENOTEMPTY on delete, ELOOP with NOFOLLOW_LINKS, ...) are made by the operation, which
 * then calls into here for everything else.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31,
            ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61,
            EOVERFLOW = 75, EOPNOTSUPP = 95, ECANCELED = 125, EALREADY = 114, EDQUOT = 122;

    /** The C library's text for {@code errno}, as the JDK puts in its messages. */
    public static String message(int errno) {
        return Syscalls.strerror(errno);
    }

    /**
     * The exception the default provider throws for {@code errno} on a path operation.
     *
     * @param file  the path as the user wrote it ({@code Path.toString()}), or null
     * @param other the second path of a two-path operation, or null
     */
    public static IOException toException(int errno, String file, String other) {
        return switch (errno) {
            case EACCES -> new AccessDeniedException(file, other, null);
            case ENOENT -> new NoSuchFileException(file, other, null);
            case EEXIST -> new FileAlreadyExistsException(file, other, null);
            case ELOOP -> new FileSystemException(file, other,
                    message(errno) + " or unable to access attributes of symbolic link");
            default -> new FileSystemException(file, other, message(errno));
        };
    }

    public static IOException toException(int errno, String file) {
        return toException(errno, file, null);
    }

    /** The plain {@link IOException} the JDK's channels throw for an I/O error (message: strerror). */
    public static IOException toIOException(int errno) {
        return new IOException(message(errno));
    }
}
