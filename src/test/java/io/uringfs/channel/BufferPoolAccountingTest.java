package io.uringfs.channel;

import io.uringfs.ring.NativeMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pool blocks are counted in {@link NativeMemory} while they exist, and only then. */
class BufferPoolAccountingTest {

    @Test
    void blocksAreCountedUntilFreed() {
        BufferPool pool = new BufferPool();
        long base = NativeMemory.liveBytes();
        BufferPool.Block small = pool.acquire(100);
        assertEquals(base + BufferPool.PAGE, NativeMemory.liveBytes());
        pool.release(small);
        assertEquals(BufferPool.PAGE, pool.parkedBytes());
        assertEquals(1, pool.parkedBlocks());
        assertEquals(base + BufferPool.PAGE, NativeMemory.liveBytes(), "a parked block still exists");
        assertEquals(small, pool.acquire(BufferPool.PAGE), "reused, not allocated again");
        assertEquals(base + BufferPool.PAGE, NativeMemory.liveBytes());
        pool.release(small);

        long big = (1 << 20) + 1;
        BufferPool.Block oversized = pool.acquire(big);
        assertEquals(base + BufferPool.PAGE + big, NativeMemory.liveBytes());
        pool.release(oversized);
        assertEquals(base + BufferPool.PAGE, NativeMemory.liveBytes(), "an oversized block is freed on release");
    }

    @Test
    void explicitlyClosedArenaUncounts() {
        long base = NativeMemory.liveBytes();
        try (Arena arena = Arena.ofConfined()) {
            NativeMemory.allocate(arena, 1000, 8);
            NativeMemory.allocate(arena, 24, 8);
            assertEquals(base + 1024, NativeMemory.liveBytes());
        }
        assertEquals(base, NativeMemory.liveBytes());
    }
}
