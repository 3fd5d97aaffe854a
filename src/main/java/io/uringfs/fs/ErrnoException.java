package io.uringfs.fs;

import io.uringfs.engine.Errno;

import java.io.IOException;

/**
 * A failed system call inside the file operations, carrying its errno until the operation knows
 * which path to blame and whether the errno needs an operation-specific exception (the role the
 * JDK's {@code UnixException} plays). Converted with {@link #toIOException}, which defers to
 * {@link Errno#toException}, the one errno-to-exception mapping.
 *
 * <p>Stackless: it never escapes to callers, so filling in a stack trace would be wasted work.
 */
final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    ErrnoException(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    /** Returns {@code r} if it is a result, throws if it is {@code -errno}. */
    static int check(int r) throws ErrnoException {
        if (r < 0) throw new ErrnoException(-r);
        return r;
    }

    static long check(long r) throws ErrnoException {
        if (r < 0) throw new ErrnoException((int) -r);
        return r;
    }

    int errno() {
        return errno;
    }

    String errorString() {
        return Errno.message(errno);
    }

    @Override
    public String getMessage() {
        return errorString();
    }

    IOException toIOException(UringPath file) {
        return Errno.toException(errno, file.pathForMessage(), null);
    }

    IOException toIOException(UringPath file, UringPath other) {
        return Errno.toException(errno, file.pathForMessage(), other.pathForMessage());
    }
}
