package io.uringfs.engine;

/**
 * Whether path lookups are being served from the dentry cache, so that a virtual thread's
 * {@code statx} of a path may be one plain system call.
 *
 * <p>A stat of a path has no non-blocking form: the kernel reads a directory or inode block from
 * the disk when the lookup misses, and io_uring runs every STATX on a worker thread. The safe way,
 * an {@code O_PATH} open with {@code RESOLVE_CACHED} (which fails instead of blocking), a stat of
 * that descriptor and its close, costs three system calls where the default provider makes one
 * (hot small files from one virtual thread: 9.5 against 7.1 us per file, almost half of the
 * difference in those three calls). So the lookups that uringfs makes with
 * {@code RESOLVE_CACHED} anyway (every virtual thread's open, and stats while untrusted) are
 * counted, and after {@value #RUN} of them in a row found their path cached, stats become plain
 * calls, until a cached lookup fails or a plain stat takes longer than {@link #SLOW_NANOS}. Hot
 * stats of a 10,000-file tree here: 93% under 2 us, one in 1,500 20-50 us and one in 15,000 or
 * so longer (an interrupt, a safepoint on the way back from native code); after dropping the
 * caches most took 5-20 us (ext4 reads inode blocks ahead) and those that waited for the disk
 * 50 us to over 200 us. The price: a stat that misses while trusted, of a path nobody looked up
 * lately, holds its carrier for that read, as the default provider's stats always may; with
 * lookups that keep missing, at most one stat in {@value #RUN} does, since every miss starts the
 * run again.
 *
 * <p>Thread safety: a plain field updated without synchronisation. A lost update only moves the
 * moment trust is gained or lost by a lookup or two, never a result.
 */
final class LookupOdds {
    /** Cached lookups in a row after which stats are plain calls. */
    static final int RUN = 256;
    /** A plain stat that took longer than this is taken for one that waited for the disk. */
    static final long SLOW_NANOS = 50_000;

    /** Cached lookups in a row, up to {@link #RUN}. */
    private int cachedInARow;

    /** Whether a stat of a path may be a plain system call. */
    boolean trusted() {
        return cachedInARow >= RUN;
    }

    /** A lookup with RESOLVE_CACHED found its path cached ({@code true}) or would have blocked. */
    void cachedLookup(boolean cached) {
        int run = cachedInARow;
        if (!cached) cachedInARow = 0;
        else if (run < RUN) cachedInARow = run + 1;
    }

    /** A plain stat made while trusted took {@code nanos}. */
    void plainLookupTook(long nanos) {
        if (nanos > SLOW_NANOS) cachedInARow = 0;
    }
}
