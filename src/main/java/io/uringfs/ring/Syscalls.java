package io.uringfs.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every system call uringfs makes directly (not through the ring), in one place.
 *
 * <p>Each method returns what the kernel returns: a non-negative result, or {@code -errno}. Nothing
 * here throws for an errno; turning errno into exceptions happens once, in {@code fs.UnixErrors}.
 * Calls go through glibc's wrappers found by the native linker's default lookup, so the project
 * has nothing native to build; the io_uring calls, which glibc does not wrap, go through
 * {@code syscall(2)} with their numbers (identical on every architecture using the generic table).
 *
 * <p>errno is read with {@link Linker.Option#captureCallState} into a scratch cell taken for the
 * call (see {@link #takeCell()}). Every wrapper follows the same pattern:
 * {@code int cell = takeCell(); MemorySegment c = CAPTURES[cell]; try { return ret(H.invokeExact(c, ...), c); }
 * catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }}.
 *
 * <p>Thread safety: all methods are safe to call from any thread.
 */
public final class Syscalls {
    private Syscalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /**
     * Scratch memory for one call: the errno capture state and one iovec, a cache line per cell.
     * A cell is taken for the duration of a single downcall, which cannot yield, so a few cells per
     * core suffice; threads start probing at a cell picked by their id. (A per-thread buffer costs
     * an {@code Arena.ofAuto()} and its Cleaner for every new virtual thread: measured 6 us and
     * ~600 bytes each.)
     */
    private static final int CELL_BYTES = 64, CELLS = 256, IOVEC_OFFSET = 16, OPEN_HOW_OFFSET = 32;
    private static final MemorySegment SCRATCH = Arena.global().allocate((long) CELL_BYTES * CELLS, CELL_BYTES);
    private static final MemorySegment[] CAPTURES = new MemorySegment[CELLS];
    private static final MemorySegment[] IOVECS = new MemorySegment[CELLS];
    /** struct open_how: u64 flags, u64 mode, u64 resolve. */
    private static final MemorySegment[] OPEN_HOWS = new MemorySegment[CELLS];
    /** Busy flags, one per cache line so that carriers do not contend on them. */
    private static final AtomicIntegerArray BUSY = new AtomicIntegerArray(CELLS * 16);

    static {
        for (int i = 0; i < CELLS; i++) {
            CAPTURES[i] = SCRATCH.asSlice((long) i * CELL_BYTES, CAPTURE.byteSize());
            IOVECS[i] = SCRATCH.asSlice((long) i * CELL_BYTES + IOVEC_OFFSET, 16);
            OPEN_HOWS[i] = SCRATCH.asSlice((long) i * CELL_BYTES + OPEN_HOW_OFFSET, 24);
        }
    }

    private static int takeCell() {
        int i = (int) Thread.currentThread().threadId() & (CELLS - 1);
        while (BUSY.compareAndExchangeAcquire(i * 16, 0, 1) != 0) {
            i = (i + 1) & (CELLS - 1);
        }
        return i;
    }

    private static void giveCell(int cell) {
        BUSY.setRelease(cell * 16, 0);
    }

    static final long NR_IO_URING_SETUP = 425;
    static final long NR_IO_URING_ENTER = 426;
    static final long NR_IO_URING_REGISTER = 427;
    static final long NR_OPENAT2 = 437;

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol, fd, all);
    }

    private static MethodHandle intCall(String name, ValueLayout... args) {
        return handle(name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MethodHandle longCall(String name, ValueLayout... args) {
        return handle(name, FunctionDescriptor.of(JAVA_LONG, args));
    }

    private static final MethodHandle SYSCALL6 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_SETUP = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_OPENAT2 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_REGISTER = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));

    private static final MethodHandle MMAP = handle("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = intCall("munmap", ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = intCall("close", JAVA_INT);
    private static final MethodHandle OPENAT = intCall("openat", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    // read/write/pread64/pwrite64 with the buffer given by address (a pointer travels as a 64-bit integer on every 64-bit Linux ABI).
    private static final MethodHandle READ_AT_POSITION = longCall("read", JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE_AT_POSITION = longCall("write", JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PREAD_ADDRESS = longCall("pread64", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PWRITE_ADDRESS = longCall("pwrite64", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PREADV2 = longCall("preadv2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PWRITEV2 = longCall("pwritev2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FSYNC = intCall("fsync", JAVA_INT);
    private static final MethodHandle FDATASYNC = intCall("fdatasync", JAVA_INT);
    private static final MethodHandle FTRUNCATE = intCall("ftruncate64", JAVA_INT, JAVA_LONG);
    private static final MethodHandle POSIX_FADVISE = handle("posix_fadvise64",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LSEEK = longCall("lseek64", JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle STATX = intCall("statx", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle MKDIRAT = intCall("mkdirat", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle UNLINKAT = intCall("unlinkat", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RENAMEAT2 = intCall("renameat2", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SYMLINKAT = intCall("symlinkat", ADDRESS, JAVA_INT, ADDRESS);
    private static final MethodHandle LINKAT = intCall("linkat", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle READLINKAT = longCall("readlinkat", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle REALPATH = handle("realpath", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FCHMODAT = intCall("fchmodat", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHMOD = intCall("fchmod", JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHOWNAT = intCall("fchownat", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHOWN = intCall("fchown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle UTIMENSAT = intCall("utimensat", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle FUTIMENS = intCall("futimens", JAVA_INT, ADDRESS);
    private static final MethodHandle FACCESSAT = intCall("faccessat", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETDENTS64 = longCall("getdents64", JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle FSTATFS = intCall("fstatfs64", JAVA_INT, ADDRESS);
    private static final MethodHandle STATFS = intCall("statfs64", ADDRESS, ADDRESS);
    private static final MethodHandle FGETXATTR = longCall("fgetxattr", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle FSETXATTR = intCall("fsetxattr", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle FLISTXATTR = longCall("flistxattr", JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle FREMOVEXATTR = intCall("fremovexattr", JAVA_INT, ADDRESS);
    private static final MethodHandle FCNTL_LOCK = intCall("fcntl", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle DUP = intCall("dup", JAVA_INT);
    private static final MethodHandle SPLICE = longCall("splice", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle COPY_FILE_RANGE = longCall("copy_file_range", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDFILE = longCall("sendfile64", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle INOTIFY_INIT1 = intCall("inotify_init1", JAVA_INT);
    private static final MethodHandle INOTIFY_ADD_WATCH = intCall("inotify_add_watch", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle INOTIFY_RM_WATCH = intCall("inotify_rm_watch", JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = longCall("read", JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = longCall("write", JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle EVENTFD = intCall("eventfd", JAVA_INT, JAVA_INT);
    private static final MethodHandle PIPE2 = intCall("pipe2", ADDRESS, JAVA_INT);
    private static final MethodHandle FCNTL_INT = intCall("fcntl", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle POLL = intCall("poll", ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle IOCTL = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETUID = intCall("geteuid");
    private static final MethodHandle MKNODAT = intCall("mknodat", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);
    private static final MethodHandle GETPWUID_R = handle("getpwuid_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETGRGID_R = handle("getgrgid_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETPWNAM_R = handle("getpwnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETGRNAM_R = handle("getgrnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static int ret(int r, MemorySegment capture) {
        return r == -1 ? -errno(capture) : r;
    }

    private static long ret(long r, MemorySegment capture) {
        return r == -1 ? -errno(capture) : r;
    }

    private static RuntimeException fatal(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ---- io_uring ----

    public static int ioUringSetup(int entries, MemorySegment params) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return (int) ret((long) SYSCALL_SETUP.invokeExact(c, NR_IO_URING_SETUP, entries, params), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /**
     * io_uring_enter without an argument block. All six arguments are passed (a NULL {@code arg}
     * and a zero {@code argsz}), so the kernel never reads whatever registers happen to hold.
     */
    public static int ioUringEnter(int ringFd, int toSubmit, int minComplete, int flags) {
        return ioUringEnterExt(ringFd, toSubmit, minComplete, flags, MemorySegment.NULL, 0);
    }

    /** io_uring_enter with IORING_ENTER_EXT_ARG: {@code arg} points to struct io_uring_getevents_arg. */
    public static int ioUringEnterExt(int ringFd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return (int) ret((long) SYSCALL6.invokeExact(c, NR_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, arg, argSize), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int ioUringRegister(int ringFd, int opcode, MemorySegment arg, int nrArgs) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return (int) ret((long) SYSCALL_REGISTER.invokeExact(c, NR_IO_URING_REGISTER, ringFd, opcode, arg, nrArgs), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    // ---- memory ----

    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;

    /** Returns the mapping, or a segment whose address is {@code -errno} cast to unsigned on failure. */
    static long mmap(long length, int prot, int flags, int fd, long offset, MemorySegment[] out) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(c, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (m.address() == -1L) return -errno(c);
            out[0] = m;
            return 0;
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    static int munmap(MemorySegment addr, long length) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) MUNMAP.invokeExact(c, addr, length), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    // ---- files ----

    public static int close(int fd) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) CLOSE.invokeExact(c, fd), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) OPENAT.invokeExact(c, dirfd, path, flags, mode), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** preadv2(2); {@code offset} -1 means the file position. */
    public static long preadv2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) PREADV2.invokeExact(c, fd, iov, iovcnt, offset, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long pwritev2(int fd, MemorySegment iov, int iovcnt, long offset, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) PWRITEV2.invokeExact(c, fd, iov, iovcnt, offset, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /**
     * openat2(2) with {@code RESOLVE_CACHED}: opens only if every path component is in the dentry
     * cache, so it never waits for the disk; otherwise {@code -EAGAIN} (and {@code -EINVAL} or
     * {@code -ENOSYS} on kernels older than 5.12).
     */
    public static int openCached(int dirfd, MemorySegment path, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell], how = OPEN_HOWS[cell];
        how.set(JAVA_LONG, 0, flags);
        how.set(JAVA_LONG, 8, 0L);
        how.set(JAVA_LONG, 16, 0x20L /* RESOLVE_CACHED */);
        try { return (int) ret((long) SYSCALL_OPENAT2.invokeExact(c, NR_OPENAT2, dirfd, path, how, 24L), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /**
     * read(2) ({@code offset} -1: at the file position) or pread64(2) into one buffer: a plain
     * transfer without the iovec that preadv2 makes the kernel import (about 6% of a cached 4 KiB
     * read's kernel time here).
     */
    public static long readAt(int fd, long addr, long len, long offset) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return ret(offset < 0 ? (long) READ_AT_POSITION.invokeExact(c, fd, addr, len)
                                  : (long) PREAD_ADDRESS.invokeExact(c, fd, addr, len, offset), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** write(2) ({@code offset} -1: at the file position, or the end with O_APPEND) or pwrite64(2) from one buffer. */
    public static long writeAt(int fd, long addr, long len, long offset) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return ret(offset < 0 ? (long) WRITE_AT_POSITION.invokeExact(c, fd, addr, len)
                                  : (long) PWRITE_ADDRESS.invokeExact(c, fd, addr, len, offset), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** preadv2(2) into one buffer, with the iovec in scratch memory (no allocation). */
    public static long preadv2(int fd, long addr, long len, long offset, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell], iov = IOVECS[cell];
        iov.set(JAVA_LONG, 0, addr);
        iov.set(JAVA_LONG, 8, len);
        try { return ret((long) PREADV2.invokeExact(c, fd, iov, 1, offset, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** pwritev2(2) from one buffer, with the iovec in scratch memory (no allocation). */
    public static long pwritev2(int fd, long addr, long len, long offset, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell], iov = IOVECS[cell];
        iov.set(JAVA_LONG, 0, addr);
        iov.set(JAVA_LONG, 8, len);
        try { return ret((long) PWRITEV2.invokeExact(c, fd, iov, 1, offset, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fsync(int fd, boolean metadata) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            return ret(metadata ? (int) FSYNC.invokeExact(c, fd) : (int) FDATASYNC.invokeExact(c, fd), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int ftruncate(int fd, long length) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FTRUNCATE.invokeExact(c, fd, length), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** posix_fadvise returns the error number directly (not via errno); this returns it negated. */
    public static int fadvise(int fd, long offset, long len, int advice) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return -(int) POSIX_FADVISE.invokeExact(c, fd, offset, len, advice); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long lseek(int fd, long offset, int whence) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) LSEEK.invokeExact(c, fd, offset, whence), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) STATX.invokeExact(c, dirfd, path, flags, mask, buf), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int mkdirat(int dirfd, MemorySegment path, int mode) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) MKDIRAT.invokeExact(c, dirfd, path, mode), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int unlinkat(int dirfd, MemorySegment path, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) UNLINKAT.invokeExact(c, dirfd, path, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int renameat2(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) RENAMEAT2.invokeExact(c, olddirfd, oldpath, newdirfd, newpath, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int symlinkat(MemorySegment target, int newdirfd, MemorySegment linkpath) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) SYMLINKAT.invokeExact(c, target, newdirfd, linkpath), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int linkat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) LINKAT.invokeExact(c, olddirfd, oldpath, newdirfd, newpath, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf, long size) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) READLINKAT.invokeExact(c, dirfd, path, buf, size), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /**
     * realpath(3), the C library's path resolution (readlink per component) that the JDK's
     * toRealPath uses: 0 with the result in {@code resolved} (PATH_MAX + 1 bytes), or -errno.
     */
    public static int realpath(MemorySegment path, MemorySegment resolved) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            MemorySegment r = (MemorySegment) REALPATH.invokeExact(c, path, resolved);
            return r.address() == 0 ? -errno(c) : 0;
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCHMODAT.invokeExact(c, dirfd, path, mode, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fchmod(int fd, int mode) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCHMOD.invokeExact(c, fd, mode), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCHOWNAT.invokeExact(c, dirfd, path, uid, gid, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fchown(int fd, int uid, int gid) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCHOWN.invokeExact(c, fd, uid, gid), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** {@code times} points to two struct timespec (atime, mtime), or NULL for "now". */
    public static int utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) UTIMENSAT.invokeExact(c, dirfd, path, times, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int futimens(int fd, MemorySegment times) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FUTIMENS.invokeExact(c, fd, times), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int faccessat(int dirfd, MemorySegment path, int mode, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FACCESSAT.invokeExact(c, dirfd, path, mode, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long getdents64(int fd, MemorySegment buf, long size) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) GETDENTS64.invokeExact(c, fd, buf, size), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** {@code buf} must hold a struct statfs64 (120 bytes on x86_64 and aarch64). */
    public static int fstatfs(int fd, MemorySegment buf) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FSTATFS.invokeExact(c, fd, buf), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int statfs(MemorySegment path, MemorySegment buf) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) STATFS.invokeExact(c, path, buf), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long fgetxattr(int fd, MemorySegment name, MemorySegment value, long size) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) FGETXATTR.invokeExact(c, fd, name, value, size), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fsetxattr(int fd, MemorySegment name, MemorySegment value, long size, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FSETXATTR.invokeExact(c, fd, name, value, size, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long flistxattr(int fd, MemorySegment list, long size) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) FLISTXATTR.invokeExact(c, fd, list, size), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int fremovexattr(int fd, MemorySegment name) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FREMOVEXATTR.invokeExact(c, fd, name), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** fcntl(fd, cmd, struct flock*) for F_GETLK/F_SETLK/F_SETLKW/F_OFD_*. */
    public static int fcntlLock(int fd, int cmd, MemorySegment flock) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCNTL_LOCK.invokeExact(c, fd, cmd, flock), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int dup(int fd) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) DUP.invokeExact(c, fd), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long splice(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) SPLICE.invokeExact(c, fdIn, offIn, fdOut, offOut, len, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long copyFileRange(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) COPY_FILE_RANGE.invokeExact(c, fdIn, offIn, fdOut, offOut, len, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long sendfile(int outFd, int inFd, MemorySegment offset, long count) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) SENDFILE.invokeExact(c, outFd, inFd, offset, count), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int inotifyInit1(int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) INOTIFY_INIT1.invokeExact(c, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int inotifyAddWatch(int fd, MemorySegment path, int mask) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) INOTIFY_ADD_WATCH.invokeExact(c, fd, path, mask), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int inotifyRmWatch(int fd, int wd) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) INOTIFY_RM_WATCH.invokeExact(c, fd, wd), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long read(int fd, MemorySegment buf, long len) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) READ.invokeExact(c, fd, buf, len), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static long write(int fd, MemorySegment buf, long len) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((long) WRITE.invokeExact(c, fd, buf, len), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int eventfd(int initval, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) EVENTFD.invokeExact(c, initval, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** pipe2(2): {@code fds} receives two ints, the read end then the write end. */
    public static int pipe2(MemorySegment fds, int flags) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) PIPE2.invokeExact(c, fds, flags), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** fcntl(fd, cmd, int arg), e.g. F_SETPIPE_SZ/F_GETPIPE_SZ. */
    public static int fcntl(int fd, int cmd, int arg) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) FCNTL_INT.invokeExact(c, fd, cmd, arg), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** Sets O_NONBLOCK on {@code fd} (fcntl F_GETFL/F_SETFL). */
    public static int setNonBlocking(int fd) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try {
            int flags = ret((int) FCNTL_INT.invokeExact(c, fd, LinuxAbi.F_GETFL, 0), c);
            if (flags < 0) return flags;
            return ret((int) FCNTL_INT.invokeExact(c, fd, LinuxAbi.F_SETFL, flags | LinuxAbi.O_NONBLOCK), c);
        } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** poll(2) on {@code nfds} struct pollfd. */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) POLL.invokeExact(c, fds, nfds, timeoutMillis), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** ioctl(2) with a pointer argument. */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) IOCTL.invokeExact(c, fd, request, arg), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int geteuid() {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return (int) GETUID.invokeExact(c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return ret((int) MKNODAT.invokeExact(c, dirfd, path, mode, dev), c); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    // ---- user and group database (the *_r functions return the error number, not -1/errno) ----

    /**
     * getpwuid_r(3): fills {@code pwd} (a struct passwd, 48 bytes on LP64) using {@code buf} for its
     * strings; {@code result} receives {@code pwd} or NULL when there is no such user. Returns 0 or
     * {@code -error} (ERANGE: {@code buf} too small).
     */
    public static int getpwuidR(int uid, MemorySegment pwd, MemorySegment buf, long size, MemorySegment result) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return -(int) GETPWUID_R.invokeExact(c, uid, pwd, buf, size, result); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** getgrgid_r(3), like {@link #getpwuidR} for a struct group (32 bytes on LP64). */
    public static int getgrgidR(int gid, MemorySegment grp, MemorySegment buf, long size, MemorySegment result) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return -(int) GETGRGID_R.invokeExact(c, gid, grp, buf, size, result); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int getpwnamR(MemorySegment name, MemorySegment pwd, MemorySegment buf, long size, MemorySegment result) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return -(int) GETPWNAM_R.invokeExact(c, name, pwd, buf, size, result); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    public static int getgrnamR(MemorySegment name, MemorySegment grp, MemorySegment buf, long size, MemorySegment result) {
        int cell = takeCell();
        MemorySegment c = CAPTURES[cell];
        try { return -(int) GETGRNAM_R.invokeExact(c, name, grp, buf, size, result); } catch (Throwable t) { throw fatal(t); } finally { giveCell(cell); }
    }

    /** strerror(3) text for {@code errno} (positive), e.g. "No such file or directory". */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) { throw fatal(t); }
    }
}
