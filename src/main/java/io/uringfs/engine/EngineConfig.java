package io.uringfs.engine;

import io.uringfs.ring.Ring;
import io.uringfs.ring.RingSetupException;

import java.util.Set;

/**
 * How to build an {@link Engine}. Immutable.
 *
 * @param sqEntries      submission queue size (rounded up to a power of two by the kernel)
 * @param cqEntries      the most ops the kernel holds at once, stalled ones aside (0: twice sqEntries); the ring's
 *                       CQ is {@value Engine#SLOTS_PER_CQ_ENTRY} times as large, with room for every slot
 * @param disabledOps    opcodes never to use even if the kernel has them (they take the plain-syscall path)
 * @param restrict       register {@code IORING_REGISTER_RESTRICTIONS} so the ring accepts only the opcodes uringfs uses
 * @param ringFactory    how the ring is created; tests substitute one that fails with a chosen errno
 * @param threadName     name of the completion thread
 * @param stallNanos     how long ops may wait in the engine's queue, with no completion arriving, before the
 *                       ops in the kernel stop counting against the ring limit (see {@link Engine}, "Stalled ops")
 */
public record EngineConfig(int sqEntries, int cqEntries, Set<Integer> disabledOps, boolean restrict,
                           RingFactory ringFactory, String threadName, long stallNanos) {

    /** Creates the ring; the seam tests use to force each unavailability path. */
    @FunctionalInterface
    public interface RingFactory {
        Ring create(int sqEntries, int cqEntries) throws RingSetupException;
    }

    /**
     * 256 submission entries, hence 512 CQ entries: at most 448 I/O ops in the kernel at once (224
     * while buffered reads are among them), and 2,048 slots (see {@link Engine}). A deeper ring was
     * worse for buffered reads: 1,000 virtual threads reading a 64 MiB file whose pages are dropped
     * every 5 ms did 69,000 reads/s with 512 entries, 49,000 with 1,024 and under 10,000 with 2,048
     * or 4,096 (every reader's op in the kernel), the CPUs idle while the kernel held the reads.
     */
    public static final int DEFAULT_SQ_ENTRIES = 256;

    /**
     * 50 ms: a device completes something far more often than that while hundreds of its ops are
     * queued (a slow disk here, 8,700 IOPS, one every 0.1 ms), while an op on a FIFO or a terminal
     * may wait for ever.
     */
    public static final long DEFAULT_STALL_NANOS = 50_000_000L;

    public EngineConfig {
        if (sqEntries < 1 || sqEntries > 32768) {
            throw new IllegalArgumentException("sqEntries must be in [1, 32768]: " + sqEntries);
        }
        if (cqEntries != 0 && (cqEntries < sqEntries || cqEntries > 16384)) {
            throw new IllegalArgumentException("cqEntries must be 0 or in [sqEntries, 16384]: " + cqEntries);
        }
        if (stallNanos <= 0) throw new IllegalArgumentException("stallNanos must be positive: " + stallNanos);
        disabledOps = Set.copyOf(disabledOps);
    }

    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_SQ_ENTRIES, 0, Set.of(), true, Ring::create, "uringfs-completions", DEFAULT_STALL_NANOS);
    }

    public EngineConfig withSqEntries(int n) {
        return new EngineConfig(n, cqEntries, disabledOps, restrict, ringFactory, threadName, stallNanos);
    }

    public EngineConfig withCqEntries(int n) {
        return new EngineConfig(sqEntries, n, disabledOps, restrict, ringFactory, threadName, stallNanos);
    }

    public EngineConfig withDisabledOps(Set<Integer> ops) {
        return new EngineConfig(sqEntries, cqEntries, ops, restrict, ringFactory, threadName, stallNanos);
    }

    public EngineConfig withRestrict(boolean r) {
        return new EngineConfig(sqEntries, cqEntries, disabledOps, r, ringFactory, threadName, stallNanos);
    }

    public EngineConfig withRingFactory(RingFactory f) {
        return new EngineConfig(sqEntries, cqEntries, disabledOps, restrict, f, threadName, stallNanos);
    }

    public EngineConfig withStallNanos(long nanos) {
        return new EngineConfig(sqEntries, cqEntries, disabledOps, restrict, ringFactory, threadName, nanos);
    }

    public EngineConfig withThreadName(String name) {
        return new EngineConfig(sqEntries, cqEntries, disabledOps, restrict, ringFactory, name, stallNanos);
    }
}
