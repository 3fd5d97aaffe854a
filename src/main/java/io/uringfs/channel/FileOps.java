package io.uringfs.channel;

import io.uringfs.engine.Errno;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * The few descriptor-level calls the channels make outside the ring: size and identity (statx on
 * the descriptor), the file offset (lseek), the bytes a stream has waiting (ioctl), the
 * block size for O_DIRECT (fstatfs) and POSIX record locks (fcntl). Each is a short metadata call
 * that never waits for the disk, so a ring round trip would only add latency.
 *
 * <p>Thread safety: stateless; the scratch memory is per call (confined arenas).
 */
final class FileOps {
    private FileOps() {}

    static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

    /** fcntl commands for open-file-description locks, and struct flock (x86_64/aarch64 layout). */
    static final int F_OFD_SETLK = 37;
    static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    private static final long FLOCK_BYTES = 32;

    /** Size of the open file, or -errno. */
    static long size(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_STRUCT_SIZE, 8);
            int r = Syscalls.statx(fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_SIZE, buf);
            return r < 0 ? r : buf.get(ValueLayout.JAVA_LONG, STX_SIZE);
        }
    }

    /**
     * {@code InputStream.available()} as the default provider's stream answers it on JDK 25
     * (measured with 25.0.3): 0 for a FIFO, socket or character device that answers FIONREAD
     * (that JDK returns the ioctl's result, not the count it stores); otherwise the distance from
     * the offset to the end, which is a regular file's size, or where lseek puts the end (for an
     * ext4 directory, its largest hash offset), 0 when lseek cannot tell; never negative (JDK 25
     * gives a regular file that shrank below the offset a negative estimate).
     */
    static int available(int fd) {
        long size = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_STRUCT_SIZE, 8);
            if (Syscalls.statx(fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, buf) == 0) {
                int type = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE)) & S_IFMT;
                if (type == S_IFIFO || type == S_IFSOCK || type == S_IFCHR) {
                    if (Syscalls.ioctl(fd, FIONREAD, a.allocate(ValueLayout.JAVA_INT)) >= 0) return 0;
                } else if (type == S_IFREG) {
                    size = buf.get(ValueLayout.JAVA_LONG, STX_SIZE);
                }
            }
        }
        long position = seek(fd, 0, SEEK_CUR);
        if (position < 0) return 0;
        if (size < position) { // unknown, or a regular file that shrank below the offset
            size = seek(fd, 0, SEEK_END);
            if (size < 0 || seek(fd, position, SEEK_SET) < 0) return 0;
        }
        return Math.clamp(size - position, 0, Integer.MAX_VALUE);
    }

    /** The identity of the open file (device and inode), for the JVM-wide lock table. */
    static FileKey key(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_STRUCT_SIZE, 8);
            int r = Syscalls.statx(fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_INO, buf);
            if (r < 0) throw Errno.toIOException(-r);
            long dev = ((long) buf.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR) << 32)
                    | (buf.get(ValueLayout.JAVA_INT, STX_DEV_MINOR) & 0xFFFF_FFFFL);
            return new FileKey(dev, buf.get(ValueLayout.JAVA_LONG, STX_INO));
        }
    }

    /** The fragment size of the file's file system: the alignment the JDK demands for O_DIRECT. */
    static int blockSize(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATFS_STRUCT_SIZE, 8);
            int r = Syscalls.fstatfs(fd, buf);
            if (r < 0) throw Errno.toIOException(-r);
            return (int) buf.get(ValueLayout.JAVA_LONG, F_FRSIZE);
        }
    }

    static long seek(int fd, long offset, int whence) {
        return Syscalls.lseek(fd, offset, whence);
    }

    /**
     * Sets or clears an open-file-description lock without waiting. OFD locks (not the classic
     * per-process ones) so that closing another descriptor to the same file, e.g. the JDK channel
     * {@code map} opens briefly, cannot silently drop this channel's locks.
     *
     * @return 0 when set/cleared, -EAGAIN/-EACCES when another holder conflicts, else -errno
     */
    static int lock(int fd, short type, long position, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = a.allocate(FLOCK_BYTES, 8);
            fl.set(ValueLayout.JAVA_SHORT, 0, type);
            fl.set(ValueLayout.JAVA_SHORT, 2, (short) SEEK_SET);
            fl.set(ValueLayout.JAVA_LONG, 8, position);
            // Long.MAX_VALUE means "to the end of the file and beyond", which flock spells as 0.
            fl.set(ValueLayout.JAVA_LONG, 16, size == Long.MAX_VALUE ? 0 : size);
            int r;
            do {
                r = Syscalls.fcntlLock(fd, F_OFD_SETLK, fl);
            } while (r == -Errno.EINTR);
            return r;
        }
    }

    /**
     * The end of both channels' close: releases the channel's locks (kernel and JVM table),
     * cancels the ops in flight and waits for every one to leave, then closes the descriptor, so
     * its number cannot be reused under an op. A plain close(2): the engine may already be shut
     * down, and close never waits for the disk.
     */
    static void releaseLocksAndClose(java.nio.channels.Channel owner, int fd, FileKey key,
                                     io.uringfs.engine.Io io, InFlight inFlight) throws IOException {
        if (key != null) {
            for (java.nio.channels.FileLock l : LockTable.removeAll(key, owner)) {
                synchronized (l) {
                    if (l.isValid()) {
                        lock(fd, F_UNLCK, l.position(), l.size());
                        ((UringFileLock) l).invalidate();
                    }
                }
            }
        }
        io.uringfs.engine.Engine engine = io.engine();
        inFlight.closeAndAwait(() -> {
            if (engine != null && !engine.isClosed()) engine.cancelAll(fd);
        });
        io.forget(fd);
        int r = Syscalls.close(fd);
        if (r < 0 && r != -Errno.EINTR) throw Errno.toIOException(-r);
    }
}
