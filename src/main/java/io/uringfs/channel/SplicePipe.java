package io.uringfs.channel;

import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The pipe a file-to-file splice goes through (splice needs a pipe at one end): made for one
 * transfer and closed after it, so no bytes left behind by a transfer cut short (an error, a
 * close) can ever reach another transfer, and nothing has to be pooled or drained. Creating it
 * costs three short system calls, next to a transfer's ring round trips.
 *
 * <p>It asks for a {@value #WANTED_SIZE}-byte buffer (the default is 64 KiB) so that each pair
 * of splices moves more; the kernel may grant less ({@code pipe-max-size}, per-user limits), and
 * {@link #size} is what it granted. The caller must close it only after the CQEs of every splice
 * through it, which ring waits guarantee.
 *
 * <p>Thread safety: confined to the transferring thread.
 */
final class SplicePipe implements AutoCloseable {
    private static final int F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
    static final int WANTED_SIZE = 1 << 20;

    final int readFd, writeFd;
    /** Bytes the pipe holds at most: the largest splice into it that can complete at once. */
    final int size;

    private SplicePipe(int readFd, int writeFd, int size) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.size = size;
    }

    /** A new pipe, or null when none can be made (descriptor or memory limits): the caller copies otherwise. */
    static SplicePipe open() {
        int r, w;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            if (Syscalls.pipe2(fds, LinuxAbi.O_CLOEXEC) < 0) return null;
            r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            w = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        }
        int size = Syscalls.fcntl(w, F_SETPIPE_SZ, WANTED_SIZE);
        if (size <= 0) size = Syscalls.fcntl(w, F_GETPIPE_SZ, 0);
        if (size <= 0) {
            Syscalls.close(r);
            Syscalls.close(w);
            return null;
        }
        return new SplicePipe(r, w, size);
    }

    @Override
    public void close() {
        Syscalls.close(writeFd);
        Syscalls.close(readFd);
    }
}
