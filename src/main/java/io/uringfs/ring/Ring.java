package io.uringfs.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.uringfs.ring.IoUring.SETUP_CLAMP;
import static io.uringfs.ring.IoUring.SETUP_COOP_TASKRUN;
import static io.uringfs.ring.IoUring.SETUP_CQSIZE;
import static io.uringfs.ring.IoUring.SETUP_R_DISABLED;
import static io.uringfs.ring.IoUring.SETUP_SUBMIT_ALL;
import static io.uringfs.ring.RingLayouts.*;

/**
 * One io_uring instance: the ring fd, the mmapped SQ ring, CQ ring and SQE array, and the
 * kernel's opcode probe.
 *
 * <p>The protocol (see io_uring(7) and liburing's {@code queue.c}): the application owns the SQ
 * tail and the CQ head, the kernel owns the SQ head and the CQ tail. We store our indexes with
 * release semantics and load the kernel's with acquire semantics, so an SQE is fully written before
 * the kernel can see its tail, and a CQE is fully read before the kernel can reuse its slot.
 *
 * <p>Thread safety: this class does no locking. The SQ side ({@link #sqe}, {@link #publish}) must
 * be used by one thread at a time, the CQ side ({@link #cqReady}, {@link #cqe*}, {@link #cqAdvance})
 * likewise; {@link #enter} may be called from any thread. {@code engine.Engine} provides that
 * discipline.
 */
public final class Ring implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int fd;
    private final int features;
    /** The {@code io_uring_setup} flags the kernel accepted. */
    private final int setupFlags;
    private final int sqEntries, cqEntries;
    private final MemorySegment sqRing, cqRing, sqes;
    private final long sqRingSize, cqRingSize, sqesSize;
    private final boolean singleMmap;
    private final long sqHeadOff, sqTailOff, sqFlagsOff, sqDroppedOff;
    private final int sqMask;
    private final long cqHeadOff, cqTailOff, cqOverflowOff, cqesOff;
    private final int cqMask;
    private final Probe probe;

    /** Our copy of the SQ tail (we are its only writer). */
    private int sqTail;

    private Ring(int fd, MemorySegment params, int setupFlags, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes,
                 long sqRingSize, long cqRingSize, long sqesSize, boolean singleMmap, Probe probe) {
        this.fd = fd;
        this.features = (int) P_FEATURES.get(params, 0L);
        this.setupFlags = setupFlags;
        this.sqEntries = (int) P_SQ_ENTRIES.get(params, 0L);
        this.cqEntries = (int) P_CQ_ENTRIES.get(params, 0L);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sqRingSize = sqRingSize;
        this.cqRingSize = cqRingSize;
        this.sqesSize = sqesSize;
        this.singleMmap = singleMmap;
        this.sqHeadOff = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "head"));
        this.sqTailOff = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "tail"));
        this.sqFlagsOff = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "flags_or_overflow"));
        this.sqDroppedOff = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "dropped_or_cqes"));
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "ring_mask")));
        this.cqHeadOff = params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "head"));
        this.cqTailOff = params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "tail"));
        this.cqOverflowOff = params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "flags_or_overflow"));
        this.cqesOff = params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "dropped_or_cqes"));
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "ring_mask")));
        this.probe = probe;
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailOff);
        // Identity-map the SQ index array once: slot i of the array always names SQE i.
        long arrayOff = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "array_or_flags"));
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(ValueLayout.JAVA_INT, arrayOff + 4L * i, i);
        }
    }

    /**
     * Setup flags the ring can do without, newest first: while the kernel answers {@code EINVAL}
     * they are dropped one by one ({@code COOP_TASKRUN} came in 5.19, {@code SUBMIT_ALL} in 5.18).
     */
    private static final int[] OPTIONAL_SETUP_FLAGS = {SETUP_COOP_TASKRUN, SETUP_SUBMIT_ALL};

    /**
     * Sets up a ring. The ring starts disabled ({@code IORING_SETUP_R_DISABLED}) so that
     * restrictions can be registered before it accepts any SQE; call {@link #enable}.
     *
     * <p>With {@code IORING_SETUP_COOP_TASKRUN} the kernel does not interrupt a running thread to
     * finish the ops it submitted that waited for the device (buffered reads that missed the page
     * cache, {@code O_DIRECT}): it runs that task_work when the thread next enters the kernel, or at
     * its CPU's next timer tick (a sleeping thread is still woken for it). The submitters are
     * carriers and the completion thread, mostly in and out of the kernel, and the interrupts cost
     * more than they saved: a tree of 10,000 cold 4 KiB files read by 64 virtual threads,
     * alternating JVMs, five rounds: 21,400-23,800 files/s at 77-93 us of CPU per file with it,
     * 16,300-20,300 at 94-126 us without; cold buffered and {@code O_DIRECT} random reads from
     * 1,024 virtual threads (four rounds, both orders) and from 1 (two rounds): no difference beyond
     * the noise (2026-12-02). The price: a carrier that runs a virtual thread's computation
     * without entering the kernel holds back those completions up to a timer tick (4 ms at
     * {@code HZ=250}).
     *
     * @throws RingSetupException with the kernel's errno and the step that failed
     */
    public static Ring create(int entries, int cqEntries) throws RingSetupException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS);
            int flags = SETUP_CLAMP | SETUP_R_DISABLED | (cqEntries > 0 ? SETUP_CQSIZE : 0);
            for (int optional : OPTIONAL_SETUP_FLAGS) flags |= optional;
            int fd = setUp(entries, cqEntries, flags, params);
            for (int i = 0; fd == -22 /* EINVAL */ && i < OPTIONAL_SETUP_FLAGS.length; i++) {
                flags &= ~OPTIONAL_SETUP_FLAGS[i];
                fd = setUp(entries, cqEntries, flags, params);
            }
            if (fd < 0) throw new RingSetupException("io_uring_setup", -fd);
            try {
                return map(fd, params, flags);
            } catch (RingSetupException | RuntimeException e) {
                Syscalls.close(fd);
                throw e;
            }
        }
    }

    /** One {@code io_uring_setup} call with fresh parameters: the kernel writes into them even when it fails. */
    private static int setUp(int entries, int cqEntries, int flags, MemorySegment params) {
        params.fill((byte) 0);
        if ((flags & SETUP_CQSIZE) != 0) P_CQ_ENTRIES.set(params, 0L, cqEntries);
        P_FLAGS.set(params, 0L, flags);
        return Syscalls.ioUringSetup(entries, params);
    }

    private static Ring map(int fd, MemorySegment params, int setupFlags) throws RingSetupException {
        int features = (int) P_FEATURES.get(params, 0L);
        int sqEntries = (int) P_SQ_ENTRIES.get(params, 0L);
        int cqEntries = (int) P_CQ_ENTRIES.get(params, 0L);
        long sqRingSize = params.get(ValueLayout.JAVA_INT, offsetField("sq_off", "array_or_flags")) + 4L * sqEntries;
        long cqRingSize = params.get(ValueLayout.JAVA_INT, offsetField("cq_off", "dropped_or_cqes")) + CQE.byteSize() * cqEntries;
        boolean single = (features & IoUring.FEAT_SINGLE_MMAP) != 0;
        if (single) {
            sqRingSize = cqRingSize = Math.max(sqRingSize, cqRingSize);
        }
        int prot = Syscalls.PROT_READ | Syscalls.PROT_WRITE;
        int mflags = Syscalls.MAP_SHARED | Syscalls.MAP_POPULATE;
        MemorySegment[] out = new MemorySegment[1];
        long r = Syscalls.mmap(sqRingSize, prot, mflags, fd, IoUring.OFF_SQ_RING, out);
        if (r < 0) throw new RingSetupException("mmap(SQ ring)", (int) -r);
        MemorySegment sq = out[0].reinterpret(sqRingSize);
        MemorySegment cq;
        if (single) {
            cq = sq;
        } else {
            r = Syscalls.mmap(cqRingSize, prot, mflags, fd, IoUring.OFF_CQ_RING, out);
            if (r < 0) {
                Syscalls.munmap(sq, sqRingSize);
                throw new RingSetupException("mmap(CQ ring)", (int) -r);
            }
            cq = out[0].reinterpret(cqRingSize);
        }
        long sqesSize = SQE.byteSize() * sqEntries;
        r = Syscalls.mmap(sqesSize, prot, mflags, fd, IoUring.OFF_SQES, out);
        if (r < 0) {
            Syscalls.munmap(sq, sqRingSize);
            if (!single) Syscalls.munmap(cq, cqRingSize);
            throw new RingSetupException("mmap(SQEs)", (int) -r);
        }
        MemorySegment sqes = out[0].reinterpret(sqesSize);
        Probe probe = Probe.read(fd);
        return new Ring(fd, params, setupFlags, sq, cq, sqes, sqRingSize, cqRingSize, sqesSize, single, probe);
    }

    /** Registers opcode restrictions (only these opcodes, no further register calls) and enables the ring. */
    public void restrictAndEnable(byte[] allowedOps) throws RingSetupException {
        if (allowedOps != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment rs = arena.allocate(RESTRICTION, allowedOps.length + 1L);
                long size = RESTRICTION.byteSize();
                for (int i = 0; i < allowedOps.length; i++) {
                    rs.set(ValueLayout.JAVA_SHORT, i * size, IoUring.RESTRICTION_SQE_OP);
                    rs.set(ValueLayout.JAVA_BYTE, i * size + 2, allowedOps[i]);
                }
                // Permit the SQE flags the engine sets (links and forced-async), nothing else.
                long last = allowedOps.length * size;
                rs.set(ValueLayout.JAVA_SHORT, last, IoUring.RESTRICTION_SQE_FLAGS_ALLOWED);
                rs.set(ValueLayout.JAVA_BYTE, last + 2, (byte) (IoUring.SQE_IO_LINK | IoUring.SQE_ASYNC));
                int r = Syscalls.ioUringRegister(fd, IoUring.REGISTER_RESTRICTIONS, rs, allowedOps.length + 1);
                if (r < 0) throw new RingSetupException("io_uring_register(RESTRICTIONS)", -r);
            }
        }
        int r = Syscalls.ioUringRegister(fd, IoUring.REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
        if (r < 0) throw new RingSetupException("io_uring_register(ENABLE_RINGS)", -r);
    }

    public Probe probe() { return probe; }
    public int fd() { return fd; }
    public int features() { return features; }
    public int setupFlags() { return setupFlags; }
    public int sqEntries() { return sqEntries; }
    public int cqEntries() { return cqEntries; }
    public boolean hasFeature(int feature) { return (features & feature) == feature; }

    // ---- submission side (one thread at a time) ----

    /** Free SQ slots right now (the kernel may free more concurrently). */
    public int sqSpace() {
        int head = (int) INT.getAcquire(sqRing, sqHeadOff);
        return sqEntries - (sqTail - head);
    }

    /** SQEs published but not yet consumed by the kernel. */
    public int sqPending() {
        return sqTail - (int) INT.getAcquire(sqRing, sqHeadOff);
    }

    /**
     * The next free SQE, zeroed, as its byte offset in the SQE array (what the {@code prep*}
     * methods take), or -1 when the SQ is full. It becomes visible to the kernel only at
     * {@link #publish()}.
     */
    public long sqe() {
        if (sqSpace() <= 0) return -1;
        long at = (sqTail & sqMask) * SQE.byteSize();
        // zeroed field by field: a slice per submission would be an allocation on the hot path
        for (long i = 0; i < SQE.byteSize(); i += Long.BYTES) sqes.set(ValueLayout.JAVA_LONG, at + i, 0L);
        sqTail++;
        return at;
    }

    /** Makes every SQE handed out by {@link #sqe()} visible to the kernel (store-release of the tail). */
    public void publish() {
        INT.setRelease(sqRing, sqTailOff, sqTail);
    }

    /** The user_data of the {@code i}-th SQE published and not yet consumed by the kernel. */
    public long pendingUserData(int i) {
        int head = (int) INT.getAcquire(sqRing, sqHeadOff);
        return sqes.get(ValueLayout.JAVA_LONG, ((head + i) & sqMask) * SQE.byteSize() + SQE_USER_DATA);
    }

    /**
     * Takes back the SQEs published and not yet consumed. Only for the single submitter, and only
     * while nothing can call {@code io_uring_enter} to submit (there is no SQ polling thread).
     */
    public void unpublish() {
        sqTail = (int) INT.getAcquire(sqRing, sqHeadOff);
        INT.setRelease(sqRing, sqTailOff, sqTail);
    }

    public int sqFlags() {
        return (int) INT.getAcquire(sqRing, sqFlagsOff);
    }

    public int sqDropped() {
        return (int) INT.getAcquire(sqRing, sqDroppedOff);
    }

    // ---- completion side (one thread at a time) ----

    public int cqHead() { return (int) INT.get(cqRing, cqHeadOff); }

    /** The kernel's CQ tail (load-acquire: CQEs before it are fully written). */
    public int cqTail() { return (int) INT.getAcquire(cqRing, cqTailOff); }

    public long cqeUserData(int index) { return cqRing.get(ValueLayout.JAVA_LONG, cqeOffset(index) + CQE_USER_DATA); }
    public int cqeRes(int index) { return cqRing.get(ValueLayout.JAVA_INT, cqeOffset(index) + CQE_RES); }
    public int cqeFlags(int index) { return cqRing.get(ValueLayout.JAVA_INT, cqeOffset(index) + CQE_FLAGS); }

    private long cqesOffsetBase() { return cqesOff; }

    private long cqeOffset(int index) {
        return cqesOffsetBase() + (long) (index & cqMask) * CQE.byteSize();
    }

    /** Hands CQ slots up to {@code newHead} back to the kernel (store-release). */
    public void cqAdvance(int newHead) {
        INT.setRelease(cqRing, cqHeadOff, newHead);
    }

    /** Completions the kernel dropped because the CQ was full (kernels without NODROP). */
    public int cqOverflow() { return (int) INT.getAcquire(cqRing, cqOverflowOff); }

    // ---- syscalls ----

    /** io_uring_enter(2); returns the number submitted, or -errno. */
    public int enter(int toSubmit, int minComplete, int flags) {
        return Syscalls.ioUringEnter(fd, toSubmit, minComplete, flags);
    }

    /** Bytes of caller-owned native memory {@link #waitForCompletions} needs (8-byte aligned). */
    public static final long WAIT_SCRATCH_BYTES = WAIT_ARG.byteSize();

    /**
     * io_uring_enter(GETEVENTS) bounded in time: returns once {@code minComplete} CQEs are ready or
     * {@code timeoutNanos} have passed ({@code -ETIME}), or -errno. Needs {@link IoUring#FEAT_EXT_ARG}
     * (Linux 5.11). {@code scratch} holds the call's arguments; the kernel reads it only during the call.
     */
    public int waitForCompletions(int minComplete, long timeoutNanos, MemorySegment scratch) {
        scratch.set(ValueLayout.JAVA_LONG, 0, 0L);
        scratch.set(ValueLayout.JAVA_LONG, 8, 0L);
        scratch.set(ValueLayout.JAVA_LONG, WAIT_ARG_TS, scratch.address() + WAIT_ARG_TV_SEC);
        scratch.set(ValueLayout.JAVA_LONG, WAIT_ARG_TV_SEC, timeoutNanos / 1_000_000_000L);
        scratch.set(ValueLayout.JAVA_LONG, WAIT_ARG_TV_NSEC, timeoutNanos % 1_000_000_000L);
        return Syscalls.ioUringEnterExt(fd, 0, minComplete, IoUring.ENTER_GETEVENTS | IoUring.ENTER_EXT_ARG,
                scratch, WAIT_ARG_STRUCT_SIZE);
    }

    @Override
    public void close() {
        Syscalls.munmap(sqes, sqesSize);
        Syscalls.munmap(sqRing, sqRingSize);
        if (!singleMmap) Syscalls.munmap(cqRing, cqRingSize);
        Syscalls.close(fd);
    }

    // ---- SQE preparation (field offsets from RingLayouts) ----

    /** Fills the SQE at offset {@code sqe} (from {@link #sqe()}), writing the SQE array in place. */
    public void prep(long sqe, byte opcode, int fd, long addr, int len, long off, int opFlags, long userData) {
        sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, opcode);
        sqes.set(ValueLayout.JAVA_INT, sqe + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR, addr);
        sqes.set(ValueLayout.JAVA_INT, sqe + SQE_LEN, len);
        sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_OFF, off);
        sqes.set(ValueLayout.JAVA_INT, sqe + SQE_OP_FLAGS, opFlags);
        sqes.set(ValueLayout.JAVA_LONG, sqe + SQE_USER_DATA, userData);
    }

    public void prepFlags(long sqe, byte sqeFlags) {
        sqes.set(ValueLayout.JAVA_BYTE, sqe + SQE_FLAGS, sqeFlags);
    }

    public void prepSpliceFdIn(long sqe, int fdIn) {
        sqes.set(ValueLayout.JAVA_INT, sqe + SQE_SPLICE_FD_IN, fdIn);
    }
}
