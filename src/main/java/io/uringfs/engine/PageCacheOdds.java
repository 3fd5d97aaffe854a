package io.uringfs.engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether a read of a file descriptor is worth trying against the page cache first
 * ({@code RWF_NOWAIT}) before going to the ring.
 *
 * <p>A miss is not free: the kernel sets up readahead before answering {@code EAGAIN}, and on a
 * cold file read at random most tries miss (measured: the failed tries took half the CPU of a
 * 1,024-thread cold random-read run). So after a miss the next tries on that descriptor are
 * skipped, for a stretch that doubles with every further miss (up to {@value #MAX_SKIP}); one hit
 * resets it. A hot file is always tried; a cold one about once in {@value #MAX_SKIP} reads, and
 * not at all while the engine is busy (many ops in flight): then the device's request queue is
 * usually full, and the readahead a missed try starts on the calling carrier waits there for a
 * free request, holding the carrier (1,024 cold buffered readers: a 1 ms ticker's p99 lateness
 * 2.7-4.1 ms with those tries, 0.96 ms without, at the same reads/s). A descriptor whose last
 * try missed is therefore not tried again until the load drops, even if its pages come back.
 *
 * <p>Thread safety: the state per descriptor is a plain int updated without synchronisation. A
 * lost update only changes when the next try happens, never a result. A descriptor's state is
 * {@link #forget forgotten} when it is closed, so a file that reuses the number starts fresh
 * instead of inheriting the skips earned by a cold file.
 */
final class PageCacheOdds {
    static final int MAX_SKIP = 64;

    /** Per fd: skip stretch in the high half, reads left to skip in the low half. */
    private final AtomicReference<int[]> state = new AtomicReference<>(new int[1024]);

    /** Whether to try the page cache for this read; {@code busy}: the engine has many ops in flight (see class comment). */
    boolean worthTrying(int fd, boolean busy) {
        int[] s = state.get();
        if (fd < 0 || fd >= s.length) return true;
        int v = s[fd];
        if (v == 0) return true;
        if (busy) return false;
        int left = v & 0xFFFF;
        if (left == 0) return true;
        s[fd] = v - 1;
        return false;
    }

    void hit(int fd) {
        int[] s = state.get();
        if (fd >= 0 && fd < s.length && s[fd] != 0) s[fd] = 0;
    }

    void miss(int fd) {
        if (fd < 0) return;
        int[] s = table(fd);
        int stretch = s[fd] >>> 16;
        stretch = stretch == 0 ? 1 : Math.min(stretch * 2, MAX_SKIP);
        s[fd] = (stretch << 16) | stretch;
    }

    /** Drops what was learned about {@code fd}: its descriptor is being closed. */
    void forget(int fd) {
        int[] s = state.get();
        if (fd >= 0 && fd < s.length) s[fd] = 0;
    }

    private int[] table(int fd) {
        while (true) {
            int[] s = state.get();
            if (fd < s.length) return s;
            int[] bigger = java.util.Arrays.copyOf(s, Math.max(s.length * 2, fd + 1));
            if (state.compareAndSet(s, bigger)) return bigger;
        }
    }
}
