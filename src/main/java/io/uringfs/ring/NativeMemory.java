package io.uringfs.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accounting of the library's long-lived native memory: the blocks of the channel buffer pool,
 * directory-stream and watch-service buffers. Each allocation adds its size and attaches a cleanup
 * to its arena that subtracts it when the memory is freed (explicit close, or the garbage collector
 * for automatic arenas), so {@link #liveBytes()} is what the library holds right now. Short-lived
 * buffers from confined arenas closed by try-with-resources in the same method are not counted:
 * they cannot outlive their call. The ring's own memory is mmap'd by the kernel, not allocated here
 * (tests check it through {@code /proc/self/maps}).
 *
 * <p>Cheap enough for any allocation that is not per operation: one counter update each way.
 * Thread safety: all methods may be called from any thread.
 */
public final class NativeMemory {
    private static final LongAdder LIVE = new LongAdder();

    private NativeMemory() {}

    /** {@code arena.allocate(bytes, alignment)}, counted until the arena frees it. */
    public static MemorySegment allocate(Arena arena, long bytes, long alignment) {
        MemorySegment segment = arena.allocate(bytes, alignment);
        LIVE.add(bytes);
        return segment.reinterpret(arena, s -> LIVE.add(-bytes));
    }

    /** Bytes allocated through {@link #allocate} and not yet freed. */
    public static long liveBytes() {
        return LIVE.sum();
    }
}
