package io.uringfs.channel;

/** Test access to the shared buffer pool's state (the pool is package-private). */
public final class PoolProbe {
    private PoolProbe() {}

    /** Bytes parked in the shared pool for reuse: held on purpose, not leaked. */
    public static long parkedBytes() {
        return BufferPool.SHARED.parkedBytes();
    }

    /**
     * What the parked blocks cost in native memory: an FFM allocation aligned beyond malloc's own
     * alignment mallocs {@code alignment - 1} extra bytes, so a 4 KiB page-aligned block takes
     * 8 KiB - 1 (as NMT and the "direct" BufferPoolMXBean, where FFM reserves its memory, show).
     */
    public static long parkedFootprint() {
        return BufferPool.SHARED.parkedBytes() + BufferPool.SHARED.parkedBlocks() * (BufferPool.PAGE - 1L);
    }
}
