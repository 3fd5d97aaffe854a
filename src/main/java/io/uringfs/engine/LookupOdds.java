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
 * calls, until a cached lookup fails or {@value #SLOW_RUN} plain stats in a row take longer than
 * {@link #SLOW_NANOS}. Hot stats of a 10,000-file tree here: 93% under 2 us, one in 1,500 20-50 us
 * and one in 15,000 or so longer (an interrupt, a safepoint on the way back from native code);
 * after dropping the caches most took 5-20 us (ext4 reads inode blocks ahead) and those that waited
 * for the disk 50 us to over 200 us. One slow stat alone is no sign of the disk where the CPUs are
 * busy: 64 virtual threads reading a tree of 10,000 small files on two saturated CPUs whose system
 * calls are dear saw about one plain stat in 100 preempted past the limit, and trust, lost each
 * time, took {@value #RUN} lookups to win back, so 57% of the stats of a cold run (pages dropped,
 * paths cached) and 11% of a hot one went the three-call way. Disk misses come in runs (a tree
 * nobody walked lately), preemptions alone, so it takes two slow stats in a row to end trust: trust
 * was then lost 9 times instead of 574 in a hot run, 0.2% of the stats went the three-call way, and
 * a cold run read 17,712-18,309 files/s at 104-112 us of CPU per file against 16,399-16,563 at
 * 117-118. The price: stats that miss while trusted, of paths nobody looked up lately, hold their
 * carrier for that read, as the default provider's stats always may: two of them before trust ends,
 * and with lookups that keep missing, at most two in {@value #RUN}, since every miss starts the run
 * again.
 *
 * <p>Thread safety: plain fields updated without synchronisation. A lost update only moves the
 * moment trust is gained or lost by a lookup or a stat or two, never a result.
 */
final class LookupOdds {
    /** Cached lookups in a row after which stats are plain calls. */
    static final int RUN = 256;
    /** A plain stat that took longer than this may have waited for the disk. */
    static final long SLOW_NANOS = 50_000;
    /** Slow plain stats in a row taken for the disk. */
    static final int SLOW_RUN = 2;

    /** Cached lookups in a row, up to {@link #RUN}. */
    private int cachedInARow;
    /** Slow plain stats in a row, up to {@link #SLOW_RUN}. */
    private int slowInARow;

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
        if (nanos <= SLOW_NANOS) {
            slowInARow = 0;
        } else if (++slowInARow >= SLOW_RUN) {
            slowInARow = 0;
            cachedInARow = 0;
        }
    }
}
