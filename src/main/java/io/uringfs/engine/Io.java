package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * The file system's one dispatcher for file operations: each method runs the operation on the
 * shared ring when the kernel has the opcode (asked of the probe once, at engine start), and
 * otherwise as a plain system call through {@link Syscalls}. With no engine at all (io_uring
 * unavailable, fallback policy) every operation is a plain system call.
 *
 * <p>Results follow the kernel's convention: non-negative on success, {@code -errno} on failure.
 * Pointer arguments must stay valid until the method returns; since ring waits end only with the
 * CQE, memory from a caller's confined arena is safe to pass.
 *
 * <p>Reads and writes try {@code preadv2}/{@code pwritev2} with {@code RWF_NOWAIT} first: a
 * page-cache hit is then served in one short system call that cannot block the carrier, and only a
 * miss ({@code EAGAIN}) goes to the ring, where the wait parks the thread instead of pinning it.
 * File systems without non-blocking buffered writes (ext4 answers {@code EOPNOTSUPP}) would make
 * the ring hand every buffered write to an io-wq worker thread, which measured 5-10x slower for
 * 4 KiB writes and 0.9x for 1 MiB here; on those, buffered writes (which only copy into the page
 * cache) are plain {@code pwrite} calls, as the default provider makes them. Transfers that wait for
 * the device ({@code O_DIRECT}, {@code O_SYNC}/{@code O_DSYNC}: callers pass {@code tryNowait=false})
 * go straight to the ring. Small reads of a regular file whose tries keep hitting the page cache
 * become plain {@code pread64} calls, cheaper than {@code preadv2}, with a try now and then to
 * notice a miss (see {@link PageCacheOdds}). All of this is for virtual threads: platform threads
 * make plain system calls (see {@link #plainCallOnPlatformThread}).
 *
 * <p>Which operations have an io_uring opcode: read, write, readv, writev, fsync/fdatasync,
 * openat, close, statx, mkdirat, unlinkat, renameat, symlinkat, linkat, ftruncate,
 * fgetxattr/fsetxattr, splice (used by the channels' transfers on virtual threads). Plain system
 * calls only: getdents64, readlinkat,
 * fchmodat/fchmod, fchownat/fchown, utimensat/futimens, faccessat, mknodat, copy_file_range, statfs,
 * listxattr/removexattr, fcntl locks, inotify.
 *
 * <p>Thread safety: immutable apart from the learned NOWAIT support flag; safe from any thread.
 */
public final class Io {
    /** RWF_NOWAIT: fail with EAGAIN instead of waiting for the disk. */
    public static final int RWF_NOWAIT = 0x8;

    private final Engine engine;
    final PageCacheOdds odds = new PageCacheOdds();
    final LookupOdds lookups = new LookupOdds();
    /** Cleared the first time the file system answers EOPNOTSUPP to a NOWAIT write. */
    private volatile boolean nowaitWrites = true;

    public Io(Engine engine) {
        this.engine = engine;
    }

    /** The engine, or null when running on plain system calls. */
    public Engine engine() {
        return engine;
    }

    public boolean usesRing() {
        return engine != null;
    }

    private boolean ring(byte opcode) {
        if (engine == null) return false;
        if (engine.supports(opcode)) return true;
        engine.stats.fallbacks.increment();
        return false;
    }

    /**
     * A platform thread gains nothing from the ring for a transfer, an fsync, an open or a stat:
     * a wait blocks it either way, and the ring adds a completion-thread hop to it (measured: 0.8x
     * the throughput and twice the CPU per O_DIRECT read, 0.6x per cold buffered read), while a
     * page-cache hit costs the same as a plain call. So these are plain system calls on platform
     * threads, as the default provider makes them. Callers send transfers that could block for ever (FIFOs,
     * devices) to the ring themselves, so that closing can cancel them. Virtual threads use the
     * ring whenever they would wait, which is the point: they park instead of pinning their carrier.
     */
    private boolean plainCallOnPlatformThread() {
        return !Thread.currentThread().isVirtual() && !(Faults.ARMED && engine != null && engine.faults != null);
    }

    /**
     * Forgets what was learned about {@code fd} (its page-cache odds). Called when a descriptor
     * is about to be closed, after its last op, so that a file later opened under the same number
     * starts fresh.
     */
    public void forget(int fd) {
        odds.forget(fd);
    }

    /** Whether to try RWF_NOWAIT first; a test fault plan can send everything to the ring. */
    private boolean nowait(boolean tryNowait) {
        return tryNowait && !(Faults.ARMED && engine.faults != null && engine.faults.skipNowait());
    }

    private int run(Op op) {
        return engine.submitAndAwait(op);
    }

    /**
     * Whether a transfer that returned {@code r} is to be made again, as the JDK's channels
     * ({@code IOStatus.INTERRUPTED} loops) and its copy ({@code RESTARTABLE}) repeat {@code EINTR}.
     * From the ring, {@code EINTR} means the op was interrupted before it moved a byte: an io-wq
     * worker blocked in it was signalled, which a cancellation does; so callers repeat only while
     * nothing cancelled on purpose (their channel is still open). {@code EAGAIN} is repeated too:
     * every descriptor uringfs transfers on is blocking, where it can only mean that the ring could
     * not do the op just now; a short park first keeps a lasting condition from spinning a carrier.
     */
    public static boolean again(long r) {
        if (r == -Errno.EAGAIN) {
            LockSupport.parkNanos(AGAIN_PARK_NANOS);
            return true;
        }
        return r == -Errno.EINTR;
    }

    private static final long AGAIN_PARK_NANOS = 50_000L;

    // ---- data ----

    /**
     * Reads up to {@code len} bytes at {@code offset} (-1: the file position) into native memory.
     *
     * @param tryNowait whether to try the page cache first (false for O_DIRECT, where it always misses)
     * @param cancelOnInterrupt whether an interrupt cancels the ring op
     */
    public long read(int fd, long addr, int len, long offset, boolean tryNowait, boolean cancelOnInterrupt) {
        if (engine == null || plainCallOnPlatformThread()) {
            return Syscalls.readAt(fd, addr, len, offset);
        }
        if (nowait(tryNowait)) {
            if (odds.plainRead(fd, len)) return yieldSometimes(Syscalls.readAt(fd, addr, len, offset));
            if (odds.worthTrying(fd, engine.busy())) {
                long r = Syscalls.preadv2(fd, addr, len, offset, RWF_NOWAIT);
                if (r != -Errno.EAGAIN && r != -Errno.EOPNOTSUPP) return hit(fd, r);
                odds.miss(fd);
            }
        }
        return engine.submitAndAwait(engine.acquire().prepRead(fd, addr, len, offset).bufferedRead(tryNowait), cancelOnInterrupt);
    }

    /** Writes up to {@code len} bytes at {@code offset} (-1: the file position, or the end with O_APPEND). */
    public long write(int fd, long addr, int len, long offset, boolean tryNowait, boolean cancelOnInterrupt) {
        if (engine == null || plainCallOnPlatformThread()) {
            return Syscalls.writeAt(fd, addr, len, offset);
        }
        if (nowait(tryNowait)) {
            if (!nowaitWrites) {
                return yieldSometimes(Syscalls.writeAt(fd, addr, len, offset));
            }
            long r = Syscalls.pwritev2(fd, addr, len, offset, RWF_NOWAIT);
            if (r == -Errno.EOPNOTSUPP) {
                nowaitWrites = false;
                return write(fd, addr, len, offset, true, cancelOnInterrupt);
            }
            if (r != -Errno.EAGAIN) return yieldSometimes(r);
        }
        return engine.submitAndAwait(engine.acquire().prepWrite(fd, addr, len, offset), cancelOnInterrupt);
    }

    /** readv into {@code count} iovecs at {@code iov}; offset -1: the file position. */
    public long readv(int fd, MemorySegment iov, int count, long offset, boolean tryNowait, boolean cancelOnInterrupt) {
        if (engine == null || plainCallOnPlatformThread()) return Syscalls.preadv2(fd, iov, count, offset, 0);
        if (nowait(tryNowait) && odds.worthTrying(fd, engine.busy())) {
            long r = Syscalls.preadv2(fd, iov, count, offset, RWF_NOWAIT);
            if (r != -Errno.EAGAIN && r != -Errno.EOPNOTSUPP) return hit(fd, r);
            odds.miss(fd);
        }
        return engine.submitAndAwait(engine.acquire().prepReadv(fd, iov, count, offset).bufferedRead(tryNowait), cancelOnInterrupt);
    }

    public long writev(int fd, MemorySegment iov, int count, long offset, boolean tryNowait, boolean cancelOnInterrupt) {
        if (engine == null || plainCallOnPlatformThread()) return Syscalls.pwritev2(fd, iov, count, offset, 0);
        if (nowait(tryNowait)) {
            long r = Syscalls.pwritev2(fd, iov, count, offset, nowaitWrites ? RWF_NOWAIT : 0);
            if (r == -Errno.EOPNOTSUPP && nowaitWrites) {
                nowaitWrites = false;
                r = Syscalls.pwritev2(fd, iov, count, offset, 0);
            }
            if (r != -Errno.EAGAIN) return yieldSometimes(r);
        }
        return engine.submitAndAwait(engine.acquire().prepWritev(fd, iov, count, offset), cancelOnInterrupt);
    }

    /**
     * A read served from the page cache without parking. A virtual thread whose reads all hit the
     * cache would otherwise keep its carrier forever, starving every other virtual thread on it
     * (there is no preemption); once in a while it yields.
     */
    private long hit(int fd, long r) {
        if (odds.hit(fd)) odds.settle(fd, isRegularFile(fd));
        return yieldSometimes(r);
    }

    /** Whether the open file is a regular file (false also when that cannot be told). */
    public static boolean isRegularFile(int fd) {
        return fileType(fd) == S_IFREG;
    }

    /** The type of the open file (the S_IFMT bits of its mode), or -errno. */
    public static int fileType(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_STRUCT_SIZE, 8);
            int r = Syscalls.statx(fd, EMPTY_PATH, AT_EMPTY_PATH, STATX_TYPE, buf);
            return r < 0 ? r : Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE)) & S_IFMT;
        }
    }

    /** A transfer served without parking: see {@link CarrierQuantum}. */
    private static long yieldSometimes(long r) {
        CarrierQuantum.ranWithoutParking();
        return r;
    }

    public int fsync(int fd, boolean metadata) {
        return !plainCallOnPlatformThread() && ring(IoUring.OP_FSYNC) ? run(engine.acquire().prepFsync(fd, metadata)) : Syscalls.fsync(fd, metadata);
    }

    public int ftruncate(int fd, long length) {
        return ring(IoUring.OP_FTRUNCATE) ? run(engine.acquire().prepFtruncate(fd, length)) : Syscalls.ftruncate(fd, length);
    }

    // ---- descriptors and metadata ----

    /**
     * openat(2). A platform thread makes the plain system call, as the default provider does
     * (parking buys it nothing). A virtual thread whose open creates and truncates nothing first
     * tries openat2 with {@code RESOLVE_CACHED}: a path in the dentry cache (a file listed,
     * written or opened before: the usual case) then opens in one short system call that cannot
     * wait for the disk, where the ring op cost a submission, a completion-thread wake-up and
     * often a park (hot small files: about twice the time per file of the default provider).
     *
     * <p>Like the ring's own inline attempt, the try adds {@code O_NONBLOCK}, so that opening a
     * FIFO or a device cannot block the carrier, and then clears it again ({@code F_SETFL}):
     * left on the descriptor, plain reads and writes of FIFOs and devices would fail with
     * {@code EAGAIN} instead of waiting, and {@code fcntl} would report a flag nobody asked for.
     * What the try cannot settle goes to the ring, which decides as before: {@code EAGAIN}
     * (a lookup or a lease break that would block), {@code ENXIO} (a FIFO without a reader, which
     * a blocking open waits for), {@code EINVAL}/{@code ENOSYS} (a kernel without
     * {@code RESOLVE_CACHED}, or an {@code O_DIRECT} refusal the ring reports just the same).
     */
    public int openat(int dirfd, MemorySegment path, int flags, int mode) {
        if (engine == null || plainCallOnPlatformThread() || !ring(IoUring.OP_OPENAT)) {
            return Syscalls.openat(dirfd, path, flags, mode);
        }
        if ((flags & (O_CREAT | O_TRUNC | TMPFILE_BIT)) == 0) {
            // openat2 refuses O_PATH with any flag an O_PATH open ignores
            int fd = Syscalls.openCached(dirfd, path, (flags & O_PATH) != 0 ? flags : flags | O_NONBLOCK);
            countLookup(fd);
            if (fd >= 0) {
                // O_NONBLOCK asked for stays; an O_PATH descriptor never has it (nor allows F_SETFL)
                if ((flags & (O_NONBLOCK | O_PATH)) != 0 || Syscalls.fcntl(fd, F_SETFL, flags & SETFL_MASK) == 0) {
                    return fd;
                }
                Syscalls.close(fd);
            } else if (fd != -Errno.EAGAIN && fd != -Errno.ENXIO && fd != -Errno.EINVAL && fd != -Errno.ENOSYS) {
                return fd;
            }
        }
        int fd;
        do {
            fd = run(engine.acquire().prepOpenat(dirfd, path, flags, mode));
        } while (restart(fd));
        return fd;
    }

    /** The open flags F_SETFL can change besides O_NONBLOCK (and O_ASYNC, which opens never set). */
    private static final int SETFL_MASK = O_APPEND | O_DIRECT | O_NOATIME;
    /** O_TMPFILE without the O_DIRECTORY it includes: RESOLVE_CACHED always refuses it (as O_CREAT, O_TRUNC). */
    private static final int TMPFILE_BIT = O_TMPFILE & ~O_DIRECTORY;

    public int close(int fd) {
        odds.forget(fd);
        return ring(IoUring.OP_CLOSE) ? run(engine.acquire().prepClose(fd)) : Syscalls.close(fd);
    }

    /**
     * statx(2). io_uring always runs STATX on a kernel worker thread (two extra thread hops, which
     * made a small-file workload 2-3x slower than plain calls), yet a stat whose path is in the
     * dentry cache never waits for the disk. So a virtual thread first opens the path with
     * {@code O_PATH} and {@code RESOLVE_CACHED} (which fails instead of blocking) and stats the
     * descriptor; only when the lookup would block does the stat go to the ring. Those three calls
     * cost twice the one plain stat, so while the lookups uringfs makes with {@code RESOLVE_CACHED}
     * keep finding their paths cached, the stat is that plain call (see {@link LookupOdds}). A
     * platform thread makes the plain call, as for {@link #openat}.
     */
    public int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        if (engine == null || plainCallOnPlatformThread() || !ring(IoUring.OP_STATX)) {
            return Syscalls.statx(dirfd, path, flags, mask, buf);
        }
        if (Thread.currentThread().isVirtual() && (flags & AT_EMPTY_PATH) == 0) {
            if (lookups.trusted()) {
                long start = System.nanoTime();
                int r = Syscalls.statx(dirfd, path, flags, mask, buf);
                lookups.plainLookupTook(System.nanoTime() - start);
                return r;
            }
            int fd = Syscalls.openCached(dirfd, path,
                    O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) != 0 ? O_NOFOLLOW : 0));
            countLookup(fd);
            if (fd >= 0) {
                try {
                    return Syscalls.statx(fd, EMPTY_PATH, flags | AT_EMPTY_PATH, mask, buf);
                } finally {
                    Syscalls.close(fd);
                }
            }
        }
        int r;
        do {
            r = run(engine.acquire().prepStatx(dirfd, path, flags, mask, buf));
        } while (restart(r));
        return r;
    }

    /** Tells the lookup odds how an open with RESOLVE_CACHED went: opened, or would have blocked (EAGAIN). */
    private void countLookup(int openResult) {
        if (openResult >= 0 || openResult == -Errno.EAGAIN) lookups.cachedLookup(openResult >= 0);
    }

    /** Whether a ring open or stat is made again: the JDK restarts them after EINTR (RESTARTABLE); a closing engine's cancel ends it. */
    private boolean restart(int r) {
        return r == -Errno.EINTR && !engine.isClosed();
    }

    private static final MemorySegment EMPTY_PATH = Arena.global().allocate(1);

    public int mkdirat(int dirfd, MemorySegment path, int mode) {
        return ring(IoUring.OP_MKDIRAT) ? run(engine.acquire().prepMkdirat(dirfd, path, mode))
                                        : Syscalls.mkdirat(dirfd, path, mode);
    }

    public int unlinkat(int dirfd, MemorySegment path, int flags) {
        return ring(IoUring.OP_UNLINKAT) ? run(engine.acquire().prepUnlinkat(dirfd, path, flags))
                                         : Syscalls.unlinkat(dirfd, path, flags);
    }

    public int renameat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        return ring(IoUring.OP_RENAMEAT) ? run(engine.acquire().prepRenameat(olddirfd, oldpath, newdirfd, newpath, flags))
                                         : Syscalls.renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
    }

    public int symlinkat(MemorySegment target, int newdirfd, MemorySegment linkpath) {
        return ring(IoUring.OP_SYMLINKAT) ? run(engine.acquire().prepSymlinkat(target, newdirfd, linkpath))
                                          : Syscalls.symlinkat(target, newdirfd, linkpath);
    }

    public int linkat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        return ring(IoUring.OP_LINKAT) ? run(engine.acquire().prepLinkat(olddirfd, oldpath, newdirfd, newpath, flags))
                                       : Syscalls.linkat(olddirfd, oldpath, newdirfd, newpath, flags);
    }

    public long fgetxattr(int fd, MemorySegment name, MemorySegment value, long size) {
        return ring(IoUring.OP_FGETXATTR) ? run(engine.acquire().prepFgetxattr(fd, name, value, (int) size))
                                          : Syscalls.fgetxattr(fd, name, value, size);
    }

    public int fsetxattr(int fd, MemorySegment name, MemorySegment value, long size, int flags) {
        return ring(IoUring.OP_FSETXATTR) ? run(engine.acquire().prepFsetxattr(fd, name, value, (int) size, flags))
                                          : Syscalls.fsetxattr(fd, name, value, size, flags);
    }

    // ---- plain system calls (no io_uring opcode exists for these) ----

    public long readlinkat(int dirfd, MemorySegment path, MemorySegment buf, long size) {
        return Syscalls.readlinkat(dirfd, path, buf, size);
    }

    public int faccessat(int dirfd, MemorySegment path, int mode, int flags) {
        return Syscalls.faccessat(dirfd, path, mode, flags);
    }

    public int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
        return Syscalls.fchmodat(dirfd, path, mode, flags);
    }

    public int fchmod(int fd, int mode) {
        return Syscalls.fchmod(fd, mode);
    }

    public int fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
        return Syscalls.fchownat(dirfd, path, uid, gid, flags);
    }

    public int fchown(int fd, int uid, int gid) {
        return Syscalls.fchown(fd, uid, gid);
    }

    /** {@code times}: two struct timespec (atime, mtime); tv_nsec UTIME_OMIT leaves a time unchanged. */
    public int utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
        return Syscalls.utimensat(dirfd, path, times, flags);
    }

    public int futimens(int fd, MemorySegment times) {
        return Syscalls.futimens(fd, times);
    }

    public long flistxattr(int fd, MemorySegment list, long size) {
        return Syscalls.flistxattr(fd, list, size);
    }

    public int fremovexattr(int fd, MemorySegment name) {
        return Syscalls.fremovexattr(fd, name);
    }

    public int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
        return Syscalls.mknodat(dirfd, path, mode, dev);
    }

    /** Whether {@link #splice} is a ring op (the kernel has {@code IORING_OP_SPLICE}). */
    public boolean splicesOnRing() {
        return engine != null && engine.supports(IoUring.OP_SPLICE);
    }

    /**
     * splice(2) of up to {@code len} bytes; an offset of -1 means none (a pipe) or the file
     * position. On the ring the kernel always runs it on an io-wq worker, so the caller parks
     * even when the data is in the page cache.
     */
    public long splice(int fdIn, long offIn, int fdOut, long offOut, int len) {
        if (ring(IoUring.OP_SPLICE)) return run(engine.acquire().prepSplice(fdIn, offIn, fdOut, offOut, len, 0));
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment in = offIn < 0 ? MemorySegment.NULL : a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_LONG, offIn);
            MemorySegment out = offOut < 0 ? MemorySegment.NULL : a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_LONG, offOut);
            return Syscalls.splice(fdIn, in, fdOut, out, len, 0);
        }
    }

    /**
     * copy_file_range(2) between the files' positions. A plain system call (io_uring has no opcode
     * for it): the kernel copies in-place (reflink or page cache to page cache), which beats any
     * ring round trip through user memory.
     */
    public long copyFileRange(int fdIn, int fdOut, long len) {
        return Syscalls.copyFileRange(fdIn, MemorySegment.NULL, fdOut, MemorySegment.NULL, len, 0);
    }
}
