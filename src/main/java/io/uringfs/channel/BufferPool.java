package io.uringfs.channel;

import io.uringfs.ring.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Native memory the kernel can read and write while the caller's buffer is on the Java heap (or
 * read-only, or too unaligned for O_DIRECT): the bounce buffers behind heap-buffer I/O.
 *
 * <p>Blocks come in power-of-two size classes from 4 KiB to 1 MiB, page aligned (so they also
 * satisfy O_DIRECT). Each class keeps a bounded array of free blocks; a thread probes a few
 * entries starting at a spot derived from its id and takes or parks a block with one atomic
 * exchange or CAS, so in steady state an I/O allocates nothing and threads rarely touch the same
 * entry. Blocks come from automatic arenas: a block the pool has no room to keep is simply dropped
 * and the GC frees it. Requests above 1 MiB get a block of their own from a shared arena that is
 * closed on release. Every block is counted in {@link NativeMemory} until freed.
 *
 * <p>Memory rule: a block is released only after the kernel's last use of it (after the op's
 * CQE), which callers guarantee by releasing in a {@code finally} after a synchronous op or in
 * the completion callback of an async one.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
final class BufferPool {
    static final BufferPool SHARED = new BufferPool();

    private static final int MIN_SHIFT = 12, MAX_SHIFT = 20, PROBES = 16;
    static final int PAGE = 1 << MIN_SHIFT;

    /** A block of native memory; {@code arena} is non-null only for one-off (oversized) blocks. */
    record Block(MemorySegment segment, int sizeClass, Arena arena) {
        long address() {
            return segment.address();
        }
    }

    private final AtomicReferenceArray<Block>[] free;

    @SuppressWarnings("unchecked")
    BufferPool() {
        free = new AtomicReferenceArray[MAX_SHIFT - MIN_SHIFT + 1];
        for (int c = 0; c < free.length; c++) {
            // about 4 MiB per class at most, never fewer than 8 blocks
            int slots = Math.max(8, Math.min(256, (4 << 20) >> (c + MIN_SHIFT)));
            free[c] = new AtomicReferenceArray<>(slots);
        }
    }

    private static int sizeClass(long bytes) {
        if (bytes <= PAGE) return 0;
        int shift = 64 - Long.numberOfLeadingZeros(bytes - 1);
        return shift > MAX_SHIFT ? -1 : shift - MIN_SHIFT;
    }

    private static int start(int slots) {
        long id = Thread.currentThread().threadId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & (slots - 1);
    }

    /** A page-aligned block of at least {@code bytes} bytes. */
    Block acquire(long bytes) {
        int c = sizeClass(bytes);
        if (c < 0) {
            Arena arena = Arena.ofShared();
            return new Block(NativeMemory.allocate(arena, bytes, PAGE), -1, arena);
        }
        AtomicReferenceArray<Block> slots = free[c];
        int n = slots.length(), i = start(n);
        for (int p = 0; p < PROBES && p < n; p++, i = (i + 1) & (n - 1)) {
            if (slots.getPlain(i) != null) {
                Block b = slots.getAndSet(i, null);
                if (b != null) return b;
            }
        }
        return new Block(NativeMemory.allocate(Arena.ofAuto(), 1L << (c + MIN_SHIFT), PAGE), c, null);
    }

    /** Bytes in blocks parked in the pool, ready for reuse (a scan; for tests and diagnostics). */
    long parkedBytes() {
        long bytes = 0;
        for (AtomicReferenceArray<Block> slots : free) {
            for (int i = 0; i < slots.length(); i++) {
                Block b = slots.get(i);
                if (b != null) bytes += b.segment().byteSize();
            }
        }
        return bytes;
    }

    /** Blocks parked in the pool (a scan; for tests and diagnostics). */
    int parkedBlocks() {
        int n = 0;
        for (AtomicReferenceArray<Block> slots : free) {
            for (int i = 0; i < slots.length(); i++) {
                if (slots.get(i) != null) n++;
            }
        }
        return n;
    }

    /** Gives a block back; the caller must not touch it afterwards. */
    void release(Block b) {
        if (b.arena() != null) {
            b.arena().close();
            return;
        }
        AtomicReferenceArray<Block> slots = free[b.sizeClass()];
        int n = slots.length(), i = start(n);
        for (int p = 0; p < PROBES && p < n; p++, i = (i + 1) & (n - 1)) {
            if (slots.getPlain(i) == null && slots.compareAndSet(i, null, b)) return;
        }
        // pool full: drop it, the automatic arena frees it
    }
}
