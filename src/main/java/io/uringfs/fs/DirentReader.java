package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.NativeMemory;
import io.uringfs.ring.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntFunction;

/**
 * Reads the names in an open directory with {@code getdents64(2)}, a batch of {@code struct
 * linux_dirent64} records at a time, into a native buffer it owns. io_uring has no getdents opcode
 * (as of Linux 6.x), so this is a plain system call; one call returns as many entries as fit the
 * buffer, so a listing costs a few calls, not one per entry. {@code "."} and {@code ".."} are
 * skipped here, like the JDK's directory iterator does.
 *
 * <p>Not thread-safe: the owning directory stream serialises calls (and keeps the descriptor
 * open while one runs).
 */
final class DirentReader implements AutoCloseable {
    /** The size glibc's readdir uses: large directories need few system calls. */
    private static final int BUFFER_SIZE = 32 * 1024;
    private static final long D_RECLEN = 16, D_NAME = 19;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = NativeMemory.allocate(arena, BUFFER_SIZE, 8);
    private int position;
    private int limit;
    private boolean atEnd;

    /**
     * The next name in directory {@code fd}, or null at the end.
     *
     * @param onError makes the exception to throw from a failed getdents64 (its argument: errno)
     */
    byte[] next(int fd, IntFunction<? extends RuntimeException> onError) {
        for (;;) {
            if (position >= limit) {
                if (atEnd) return null;
                long n;
                do {
                    n = Syscalls.getdents64(fd, buffer, BUFFER_SIZE);
                } while (n == -Errno.EINTR);
                if (n < 0) throw onError.apply((int) -n);
                if (n == 0) {
                    atEnd = true;
                    return null;
                }
                position = 0;
                limit = (int) n;
            }
            int record = position;
            position += Short.toUnsignedInt(buffer.get(ValueLayout.JAVA_SHORT, record + D_RECLEN));
            byte[] name = name(record + D_NAME);
            if (!isSelfOrParent(name)) return name;
        }
    }

    private byte[] name(long offset) {
        long end = offset;
        while (buffer.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        return buffer.asSlice(offset, end - offset).toArray(ValueLayout.JAVA_BYTE);
    }

    private static boolean isSelfOrParent(byte[] name) {
        return name[0] == '.' && (name.length == 1 || (name.length == 2 && name[1] == '.'));
    }

    /** Frees the buffer; the caller guarantees no {@link #next} is running. */
    @Override
    public void close() {
        arena.close();
    }
}
