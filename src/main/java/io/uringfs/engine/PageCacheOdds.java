package io.uringfs.engine;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether a read of a file descriptor is worth trying against the page cache first
 * ({@code RWF_NOWAIT}) before going to the ring, and whether a regular file's reads hit it so
 * reliably that they may be plain calls.
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
 * <p>{@code RWF_NOWAIT} exists only for {@code preadv2}, whose kernel path (importing and freeing
 * the iovec, {@code vfs_readv}) costs more than {@code pread64}'s: 1,024 virtual threads reading a
 * cached file measured 0.86-0.92x the default provider's reads/s, with 13% more kernel time per
 * read. So once {@value #TRUST_RUN} tries in a row on a descriptor hit, small reads of it (up to
 * {@value #PLAIN_MAX} bytes) are plain calls, except one in {@value #PROBE_EVERY}, still tried
 * with {@code RWF_NOWAIT}, so that a file whose pages were evicted is noticed: the first of those
 * tries to miss ends the trust. The price: a plain read that misses holds its carrier for the disk
 * read, as the default provider's reads always may; when a trusted file turns cold, about
 * {@value #PROBE_EVERY} reads on average do so before a try notices, and a file whose reads miss
 * now and then is seldom trusted at all (at one miss in 1,000 reads, a run of {@value #TRUST_RUN}
 * hits comes about one time in three). Only for regular files: a FIFO's or a device's plain read
 * could block for ever, so when a descriptor's run is complete its caller asks its type once
 * ({@link #settle}); one that is not a regular file is never trusted.
 *
 * <p>A descriptor just opened has no history of its own, and the files a program opens one after
 * another tend to be alike (a tree of small files, all cold or all cached). So tries on fresh
 * descriptors share one count: after {@value #FRESH_MISS_RUN} of them in a row missed, a fresh
 * descriptor's read goes straight to the ring, except one in {@value #FRESH_PROBE_EVERY}, still
 * tried; the first of those to hit ends it. That saves more than the try's system call: a missed
 * try starts the disk read on the calling carrier, one request per block-layer plug for every
 * file, where reads that reach the kernel through the ring under load are often submitted
 * together (64 virtual threads reading a tree of 10,000 cold 4 KiB files, alternating JVMs, three
 * rounds: 35,700-39,100 files/s at 57-59 us of CPU per file without the tries on fresh
 * descriptors, 22,200-26,600 at 79-99 us with them; 1.47 against 1.00 requests per plug, 0.3
 * against 0.7 context switches per file; this rule, two rounds: 32,900-35,400 at 61-64 us against
 * 24,000-26,600 at 78-86 us, hot trees and one reader alike).
 *
 * <p>Thread safety: the state per descriptor is a plain int updated without synchronisation. A
 * lost update only changes when the next try happens (a miss lost to a racing hit leaves trust to
 * the next try that misses), never a result. A descriptor's state is {@link #forget forgotten}
 * when it is closed, so a file that reuses the number starts fresh instead of inheriting the skips
 * earned by a cold file or the trust earned by a hot one. The fresh descriptors' count is a plain
 * int too: a lost update moves the switch between trying and not by a try or two.
 */
final class PageCacheOdds {
    static final int MAX_SKIP = 64;
    /** Tries in a row that must hit before a descriptor's small reads become plain calls. */
    static final int TRUST_RUN = 1024;
    /** On average one read of a trusted descriptor in this many is still tried with RWF_NOWAIT. */
    static final int PROBE_EVERY = 16;
    /** Largest read that may be a plain call: beyond it the iovec's cost is lost in the copy. */
    static final int PLAIN_MAX = 16 * 1024;
    /** Tries in a row on fresh descriptors that must miss before fresh descriptors' reads skip the try. */
    static final int FRESH_MISS_RUN = 16;
    /** While they skip it, on average one fresh descriptor's read in this many is still tried. */
    static final int FRESH_PROBE_EVERY = 16;
    /** States after a complete run: a regular file's reads may be plain calls; another file's never. */
    private static final int TRUSTED = -TRUST_RUN - 1, NOT_A_FILE = -TRUST_RUN - 2;

    /**
     * Per fd: after misses, a positive value (skip stretch in the high half, reads left to skip in
     * the low half); after hits, minus the tries in a row that hit, down to {@code -TRUST_RUN},
     * and then {@link #TRUSTED} or {@link #NOT_A_FILE}.
     */
    private final AtomicReference<int[]> state = new AtomicReference<>(new int[1024]);
    /** Tries on fresh descriptors (state 0) that missed in a row, up to {@value #FRESH_MISS_RUN}. */
    private int freshMisses;

    /** Whether to try the page cache for this read; {@code busy}: the engine has many ops in flight (see class comment). */
    boolean worthTrying(int fd, boolean busy) {
        int[] s = state.get();
        int v = fd >= 0 && fd < s.length ? s[fd] : 0;
        if (v == 0) return freshMisses < FRESH_MISS_RUN || ThreadLocalRandom.current().nextInt(FRESH_PROBE_EVERY) == 0;
        if (v < 0) return true;
        if (busy) return false;
        int left = v & 0xFFFF;
        if (left == 0) return true;
        s[fd] = v - 1;
        return false;
    }

    /**
     * Whether this read of {@code len} bytes of a regular file may be a plain call: the
     * descriptor's last {@value #TRUST_RUN} tries hit, and this is not one of the reads still tried.
     */
    boolean plainRead(int fd, int len) {
        int[] s = state.get();
        return len <= PLAIN_MAX && fd >= 0 && fd < s.length && s[fd] == TRUSTED
                && ThreadLocalRandom.current().nextInt(PROBE_EVERY) != 0;
    }

    /** A try hit; true when that completed the descriptor's run: the caller then {@linkplain #settle settles} its type. */
    boolean hit(int fd) {
        if (fd < 0) return false;
        int[] s = table(fd);
        int v = s[fd];
        if (v == 0) freshMisses = 0;
        if (v <= -TRUST_RUN) return false;
        int run = v > 0 ? -1 : v - 1;
        s[fd] = run;
        return run == -TRUST_RUN;
    }

    /** After a complete run: whether the descriptor is a regular file, whose small reads may then be plain calls. */
    void settle(int fd, boolean regularFile) {
        int[] s = state.get();
        if (fd >= 0 && fd < s.length && s[fd] == -TRUST_RUN) s[fd] = regularFile ? TRUSTED : NOT_A_FILE;
    }

    void miss(int fd) {
        if (fd < 0) return;
        int[] s = table(fd);
        int v = s[fd];
        if (v == 0 && freshMisses < FRESH_MISS_RUN) freshMisses++;
        int stretch = v > 0 ? v >>> 16 : 0;
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
