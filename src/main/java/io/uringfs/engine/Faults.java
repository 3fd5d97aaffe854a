package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Ring;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Test-only fault injection at the engine's io_uring boundary: {@code io_uring_enter} answering
 * {@code EINTR}/{@code EAGAIN}/{@code EBUSY} without doing anything, reads and writes submitted
 * with a shorter length (so the kernel really performs a short transfer), more slots than CQ
 * entries (so the CQ really overflows), ops whose CQE reports {@code EINTR} or {@code EAGAIN}
 * without the kernel having done anything (a NOP goes in their place), cancellations refused as
 * an older kernel refuses them, reads/writes kept off
 * the {@code RWF_NOWAIT} shortcut so they reach the ring, and a flusher or a completing thread
 * held right before it submits or right after it publishes a result (as a preempted thread would
 * be).
 *
 * <p>Zero cost in production: the hooks are guarded by {@link #ARMED}, a constant that is true only
 * when the JVM starts with {@code -Duringfs.test.faults=true} (the unit-test build sets it), so the
 * JIT removes them otherwise. Even when armed, an engine injects nothing unless a test
 * {@linkplain #install installed} a plan before the engine started; the engine keeps that plan.
 *
 * <p>Thread safety: configure before {@link #install}; afterwards the plan is read-only except for
 * its lock-free random sequence and counters. Decisions come from a seeded sequence, so a seed
 * fixes which calls are hit (thread interleaving aside).
 */
final class Faults {
    static final boolean ARMED = Boolean.getBoolean("uringfs.test.faults");

    private static volatile Faults installed;

    final long seed;
    private final AtomicLong state;
    private double enterFaultRate;
    private int[] submitErrnos = {};
    private double shortRate;
    private boolean ringOnly;
    private int slotFactor = 1;
    private double completionFaultRate;
    private int[] completionErrnos = {};
    private Runnable afterPublish;
    private Runnable beforeSubmit;
    private boolean cancelFlagsRefused;

    final LongAdder injectedEnterFaults = new LongAdder();
    final LongAdder shortened = new LongAdder();
    final LongAdder injectedCompletionErrors = new LongAdder();

    Faults(long seed) {
        this.seed = seed;
        this.state = new AtomicLong(seed);
    }

    /** A share of io_uring_enter calls fail with one of {@code errnos} (waits only ever with EINTR). */
    Faults enterErrors(double rate, int... errnos) {
        this.enterFaultRate = rate;
        this.submitErrnos = errnos.clone();
        return this;
    }

    /** A share of reads/writes (and readv/writev of several buffers) are submitted shortened. */
    Faults shortTransfers(double rate) {
        this.shortRate = rate;
        return this;
    }

    /**
     * A share of ops complete with one of {@code errnos} (EINTR or EAGAIN) without reaching the
     * kernel: the SQE becomes a NOP carrying the op's user_data, and its CQE result is replaced.
     * So the op did nothing, as one interrupted before it moved a byte (a real EINTR CQE comes
     * from an io-wq worker signalled while it blocked, e.g. by a cancellation), and repeating it
     * is always correct. EINTR hits reads, writes, fsync, openat, statx and splice; EAGAIN, which
     * only a transfer on a blocking descriptor can see from the ring, hits reads and writes. Ops
     * linked to the next one are left alone (a NOP would not break the chain as a failure does).
     */
    Faults completionErrors(double rate, int... errnos) {
        this.completionFaultRate = rate;
        this.completionErrnos = errnos.clone();
        return this;
    }

    /** Reads and writes skip the RWF_NOWAIT page-cache attempt and always go to the ring. */
    Faults ringOnly() {
        this.ringOnly = true;
        return this;
    }

    /** The engine gets {@code factor} times as many slots (and as high a ring limit) as its CQ has room for, so the CQ can overflow. */
    Faults slotFactor(int factor) {
        this.slotFactor = factor;
        return this;
    }

    /**
     * Runs {@code action} on the completing thread right after it publishes an op's result, as if
     * that thread were descheduled there while others run: what they can see then is what a
     * preempted completion thread shows them.
     */
    Faults afterPublish(Runnable action) {
        this.afterPublish = action;
        return this;
    }

    /**
     * Runs {@code action} on the flusher before each io_uring_enter that submits, while it holds
     * the flush: ops pushed meanwhile wait for it, and go to the kernel in its next batch.
     */
    Faults beforeSubmit(Runnable action) {
        this.beforeSubmit = action;
        return this;
    }

    /** ASYNC_CANCEL with any flag completes with {@code EINVAL} without doing anything, as before Linux 5.19. */
    Faults cancelFlagsRefused() {
        this.cancelFlagsRefused = true;
        return this;
    }

    /**
     * Makes {@code plan} the plan of engines started from now on (null: none).
     *
     * @throws IllegalStateException if the JVM was not started with the property that arms the hooks
     */
    static void install(Faults plan) {
        if (!ARMED) throw new IllegalStateException("start the JVM with -Duringfs.test.faults=true");
        installed = plan;
    }

    /** The plan for an engine being constructed now, or null. */
    static Faults forNewEngine() {
        return ARMED ? installed : null;
    }

    int slotFactor() {
        return slotFactor;
    }

    boolean skipNowait() {
        return ringOnly;
    }

    void afterPublish() {
        if (afterPublish != null) afterPublish.run();
    }

    /** io_uring_enter, or an injected failure that did nothing. */
    int enter(Ring ring, int toSubmit, int minComplete, int flags) {
        if (beforeSubmit != null && toSubmit > 0) beforeSubmit.run();
        if (submitErrnos.length > 0 && chance(enterFaultRate)) {
            injectedEnterFaults.increment();
            // A wait (nothing to submit) can only be interrupted; EAGAIN/EBUSY concern submission.
            return toSubmit > 0 ? -submitErrnos[(int) ((next() >>> 1) % submitErrnos.length)] : -Errno.EINTR;
        }
        return ring.enter(toSubmit, minComplete, flags);
    }

    /** Whether a bounded wait for completions is to fail with EINTR instead, at the rate of {@link #enterErrors}. */
    boolean interruptWait() {
        if (submitErrnos.length == 0 || !chance(enterFaultRate)) return false;
        injectedEnterFaults.increment();
        return true;
    }

    /** The length to put in the SQE: for data ops, sometimes less than asked. */
    int length(Op op) {
        int len = op.len;
        boolean data = switch (op.opcode) {
            case IoUring.OP_READ, IoUring.OP_WRITE, IoUring.OP_READV, IoUring.OP_WRITEV -> true;
            default -> false;
        };
        if (!data || len <= 1 || !chance(shortRate)) return len;
        shortened.increment();
        return 1 + (int) ((next() >>> 1) % (len - 1));
    }

    /**
     * For an op about to be put in an SQE: the {@code -errno} its CQE is to report instead of
     * running it (the engine then submits a NOP), or 0 to run it.
     */
    int completionError(Op op) {
        if (op.isCancel) return cancelFlagsRefused && op.opFlags != 0 ? -Errno.EINVAL : 0;
        if (completionErrnos.length == 0 || op.sqeFlags != 0) return 0;
        boolean transfer = switch (op.opcode) {
            case IoUring.OP_READ, IoUring.OP_WRITE, IoUring.OP_READV, IoUring.OP_WRITEV -> true;
            default -> false;
        };
        boolean restartable = transfer || switch (op.opcode) {
            case IoUring.OP_FSYNC, IoUring.OP_OPENAT, IoUring.OP_STATX, IoUring.OP_SPLICE -> true;
            default -> false;
        };
        if (!restartable || !chance(completionFaultRate)) return 0;
        int errno = completionErrnos[(int) ((next() >>> 1) % completionErrnos.length)];
        if (errno != Errno.EINTR && !transfer) errno = Errno.EINTR;
        injectedCompletionErrors.increment();
        return -errno;
    }

    private boolean chance(double rate) {
        return rate > 0 && (next() >>> 11) * 0x1.0p-53 < rate;
    }

    /** SplitMix64 over a shared counter: lock-free and reproducible from the seed. */
    private long next() {
        long z = state.addAndGet(0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
