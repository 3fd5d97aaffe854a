package io.uringfs.engine;

import io.uringfs.ring.IoUring;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;

/**
 * One slot of the engine's in-flight table: the request to put in an SQE and, once the CQE
 * arrives, its result. Slots are preallocated and reused, so submitting an op allocates nothing.
 *
 * <p>Life cycle: {@link Engine#acquire()} hands out a free slot; the caller fills it with one of the
 * {@code prep*} methods and passes it to {@link Engine#submitAndAwait} (the caller's thread waits)
 * or {@link Engine#submitAsync} (a callback runs on an executor). The slot, and any native memory
 * the request points to, stays untouched by the engine's users until the kernel's CQE for it has
 * arrived; only then is it returned to the free list. Each submission carries a fresh generation in
 * its user_data, so a CQE can never complete the wrong (reused) slot.
 *
 * <p>Thread safety: a slot is owned by one thread between acquire and submit; afterwards the
 * engine publishes its completion with a volatile write of {@link #state}.
 */
public final class Op implements Runnable {
    static final int FREE = 0, PREPARED = 1, SUBMITTED = 2, DONE = 3;

    final Engine engine;
    final int index;
    int generation;

    // request
    byte opcode;
    byte sqeFlags;
    int fd;
    long addr;
    int len;
    long off;
    int opFlags;
    int spliceFdIn;
    /** A buffered read that will wait for the disk: the engine holds fewer of these in the kernel (see {@link Engine}). */
    boolean bufferedRead;
    /** Test-only ({@link Faults}): the result to report instead of running the op (it went in as a NOP), or 0. */
    int injectedRes;

    // submission
    Op nextPending;
    boolean isCancel;
    /** The generation a cancellation was asked for; equal to {@link #generation} if this op is to be cancelled. */
    int cancelledGeneration;
    /** Set by the flusher when it puts the op in an SQE: from then on the op counts against the ring limit... */
    boolean inKernel;
    /** ...until the engine finds it stalled there while others queue (see {@link Engine}). Written with the flush and the CQ lock held. */
    boolean stalled;
    /** The engine's stall epoch when the op went into the kernel. */
    int epoch;
    /** JFR event timing this op; null unless {@link OperationEvent} was enabled at submission. */
    OperationEvent event;

    // completion
    volatile int state;
    int res;
    int cqeFlags;
    Thread waiter;
    /** Set by a waiter that is going to park: it will wake the waiters handed on to it (see Engine). */
    volatile boolean parking;
    Completion callback;
    Executor executor;

    Op(Engine engine, int index) {
        this.engine = engine;
        this.index = index;
    }

    /** Whether a cancellation was asked for this submission (see {@link #cancelledGeneration}). */
    boolean cancelRequested() {
        return cancelledGeneration == generation;
    }

    private static final java.lang.invoke.VarHandle CANCELLED_GENERATION;

    static {
        try {
            CANCELLED_GENERATION = java.lang.invoke.MethodHandles.lookup().findVarHandle(Op.class, "cancelledGeneration", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Marks submission {@code generation} of this slot cancelled, if the slot still holds it: a mark
     * made late, after the slot was reused, can neither cancel nor unmark the newer submission.
     *
     * @return whether that submission is still in flight (marked now or before)
     */
    boolean markCancelled(int generation) {
        if (state != SUBMITTED || this.generation != generation) return false;
        CANCELLED_GENERATION.compareAndSet(this, generation - 1, generation);
        return cancelledGeneration == generation;
    }

    long userData() {
        return userData(index, generation);
    }

    /** The user_data of the submission {@code generation} of slot {@code index}. */
    static long userData(int index, int generation) {
        return ((long) generation << 32) | (index & 0xFFFF_FFFFL);
    }

    /** Result of the finished op: non-negative on success, {@code -errno} on failure. */
    public int result() {
        return res;
    }

    /** What runs an async op's callback: the slot is recycled before the callback sees the result. */
    @Override
    public void run() {
        CarrierQuantum.callbackRunning();
        Completion c = callback;
        int r = res;
        engine.release(this);
        c.completed(r);
    }

    /** Fills the request; {@code addr}/{@code off} meanings depend on the opcode, as in io_uring_enter(2). */
    public Op prep(byte opcode, int fd, long addr, int len, long off, int opFlags) {
        this.opcode = opcode;
        this.sqeFlags = 0;
        this.fd = fd;
        this.addr = addr;
        this.len = len;
        this.off = off;
        this.opFlags = opFlags;
        this.spliceFdIn = 0;
        this.bufferedRead = false;
        return this;
    }

    public Op prepNop() {
        return prep(IoUring.OP_NOP, -1, 0, 0, 0, 0);
    }

    /** read into {@code len} bytes at {@code buf}; {@code offset} -1 means the file position. */
    public Op prepRead(int fd, long buf, int len, long offset) {
        return prep(IoUring.OP_READ, fd, buf, len, offset, 0);
    }

    public Op prepWrite(int fd, long buf, int len, long offset) {
        return prep(IoUring.OP_WRITE, fd, buf, len, offset, 0);
    }

    public Op prepReadv(int fd, MemorySegment iovecs, int count, long offset) {
        return prep(IoUring.OP_READV, fd, iovecs.address(), count, offset, 0);
    }

    public Op prepWritev(int fd, MemorySegment iovecs, int count, long offset) {
        return prep(IoUring.OP_WRITEV, fd, iovecs.address(), count, offset, 0);
    }

    public Op prepFsync(int fd, boolean metadata) {
        return prep(IoUring.OP_FSYNC, fd, 0, 0, 0, metadata ? 0 : IoUring.FSYNC_DATASYNC);
    }

    public Op prepOpenat(int dirfd, MemorySegment path, int flags, int mode) {
        return prep(IoUring.OP_OPENAT, dirfd, path.address(), mode, 0, flags);
    }

    public Op prepClose(int fd) {
        return prep(IoUring.OP_CLOSE, fd, 0, 0, 0, 0);
    }

    public Op prepStatx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statxBuf) {
        return prep(IoUring.OP_STATX, dirfd, path.address(), mask, statxBuf.address(), flags);
    }

    public Op prepMkdirat(int dirfd, MemorySegment path, int mode) {
        return prep(IoUring.OP_MKDIRAT, dirfd, path.address(), mode, 0, 0);
    }

    public Op prepUnlinkat(int dirfd, MemorySegment path, int flags) {
        return prep(IoUring.OP_UNLINKAT, dirfd, path.address(), 0, 0, flags);
    }

    public Op prepRenameat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        return prep(IoUring.OP_RENAMEAT, olddirfd, oldpath.address(), newdirfd, newpath.address(), flags);
    }

    public Op prepSymlinkat(MemorySegment target, int newdirfd, MemorySegment linkpath) {
        return prep(IoUring.OP_SYMLINKAT, newdirfd, target.address(), 0, linkpath.address(), 0);
    }

    public Op prepLinkat(int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
        return prep(IoUring.OP_LINKAT, olddirfd, oldpath.address(), newdirfd, newpath.address(), flags);
    }

    public Op prepFtruncate(int fd, long length) {
        return prep(IoUring.OP_FTRUNCATE, fd, 0, 0, length, 0);
    }

    public Op prepFgetxattr(int fd, MemorySegment name, MemorySegment value, int size) {
        return prep(IoUring.OP_FGETXATTR, fd, name.address(), size, value.address(), 0);
    }

    public Op prepFsetxattr(int fd, MemorySegment name, MemorySegment value, int size, int flags) {
        return prep(IoUring.OP_FSETXATTR, fd, name.address(), size, value.address(), flags);
    }

    /** splice(2): {@code offIn}/{@code offOut} -1 mean "no offset" (pipes, or the file position). */
    public Op prepSplice(int fdIn, long offIn, int fdOut, long offOut, int len, int flags) {
        prep(IoUring.OP_SPLICE, fdOut, offIn, len, offOut, flags);
        this.spliceFdIn = fdIn;
        return this;
    }

    /**
     * Marks a prepared read ({@link #prepRead}, {@link #prepReadv}) as a buffered read of a regular
     * file that missed the page cache (or is expected to), if {@code buffered}; the next prep clears it.
     */
    public Op bufferedRead(boolean buffered) {
        this.bufferedRead = buffered;
        return this;
    }

    public byte opcode() {
        return opcode;
    }
}
