package io.uringfs.engine;

import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The skip stretch per descriptor, the trust that makes a cached file's reads plain calls, and that closing a descriptor forgets both. */
class PageCacheOddsTest {
    @Test
    void missesSkipTriesAndAHitResets() {
        PageCacheOdds odds = new PageCacheOdds();
        assertTrue(odds.worthTrying(5, false));
        odds.miss(5);
        assertFalse(odds.worthTrying(5, false), "one skip after the first miss");
        assertTrue(odds.worthTrying(5, false));
        odds.miss(5);
        assertFalse(odds.worthTrying(5, false));
        assertFalse(odds.worthTrying(5, false), "the stretch doubled");
        assertTrue(odds.worthTrying(5, false));
        odds.hit(5);
        odds.miss(5);
        assertFalse(odds.worthTrying(5, false));
        assertTrue(odds.worthTrying(5, false), "a hit reset the stretch to one");
    }

    /** While the engine is busy a descriptor whose last try missed is not tried at all; a hot one still is. */
    @Test
    void aBusyEngineStopsTheTriesOfColdDescriptorsOnly() {
        PageCacheOdds odds = new PageCacheOdds();
        assertTrue(odds.worthTrying(5, true), "never tried: hot until shown otherwise");
        odds.miss(5);
        odds.hit(6);
        for (int i = 0; i < 3 * PageCacheOdds.MAX_SKIP; i++) {
            assertFalse(odds.worthTrying(5, true), "try " + i);
            assertTrue(odds.worthTrying(6, true), "try " + i);
        }
        assertFalse(odds.worthTrying(5, false), "the skip left from the miss");
        assertTrue(odds.worthTrying(5, false), "tried again once the load dropped");
    }

    /**
     * Fresh descriptors share one count: after a run of tries on them that missed, their reads
     * skip the try but for about one in {@link PageCacheOdds#FRESH_PROBE_EVERY}, and a hit on
     * one ends it. Descriptors with a history of their own are not affected.
     */
    @Test
    void freshDescriptorsSkipTheTryAfterARunOfMissesOnFreshDescriptors() {
        PageCacheOdds odds = new PageCacheOdds();
        odds.hit(3); // a hot descriptor, with a history of its own
        for (int i = 0; i < PageCacheOdds.FRESH_MISS_RUN; i++) {
            assertTrue(odds.worthTrying(10, false), "fresh try " + i + " before the run is complete");
            odds.miss(10);
            odds.forget(10); // closed: the next open gets the number fresh
        }
        int n = 100 * PageCacheOdds.FRESH_PROBE_EVERY, tried = 0;
        for (int i = 0; i < n; i++) {
            if (odds.worthTrying(10, false)) tried++;
            assertTrue(odds.worthTrying(3, false), "the hot descriptor is still tried");
        }
        // binomial(1,600, 1/16): mean 100, standard deviation under 10
        assertTrue(tried >= 50 && tried <= 160, "fresh descriptors tried " + tried + " times of " + n);
        int beyond = 0;
        for (int i = 0; i < n; i++) if (odds.worthTrying(5000, false)) beyond++;
        assertTrue(beyond >= 50 && beyond <= 160, "a descriptor beyond the table is fresh too: tried " + beyond + " times of " + n);
        odds.hit(10);
        odds.forget(10);
        for (int i = 0; i < 100; i++) assertTrue(odds.worthTrying(10, false), "a hit on a fresh descriptor ended the skipping");
        odds.miss(3); // a miss on a descriptor with a history does not count towards the run
        odds.forget(3);
        assertTrue(odds.worthTrying(3, false));
    }

    /** Counts, of {@code n} reads of {@code len} bytes, those that {@link PageCacheOdds#plainRead} makes plain calls. */
    private static int plainReads(PageCacheOdds odds, int fd, int len, int n) {
        int plain = 0;
        for (int i = 0; i < n; i++) if (odds.plainRead(fd, len)) plain++;
        return plain;
    }

    @Test
    void aRunOfHitsMakesSmallReadsPlainCallsUntilATryMisses() {
        PageCacheOdds odds = new PageCacheOdds();
        for (int i = 0; i < PageCacheOdds.TRUST_RUN - 1; i++) assertFalse(odds.hit(9));
        odds.settle(9, true);
        assertEquals(0, plainReads(odds, 9, 4096, 1000), "one hit short of the run");
        odds.miss(9);
        for (int i = 0; i < PageCacheOdds.TRUST_RUN - 1; i++) assertFalse(odds.hit(9));
        assertEquals(0, plainReads(odds, 9, 4096, 1000), "the miss started the run again");
        assertTrue(odds.hit(9), "the run is complete");
        assertEquals(0, plainReads(odds, 9, 4096, 1000), "not before its type is settled");
        odds.settle(9, true);
        assertFalse(odds.hit(9), "hits after the run change nothing");
        // one read in PROBE_EVERY is still tried (1,000 reads: 937 plain on average; the bounds
        // are over ten standard deviations away)
        int plain = plainReads(odds, 9, 4096, 1000);
        assertTrue(plain > 850 && plain < 1000, "plain reads: " + plain);
        assertEquals(0, plainReads(odds, 9, PageCacheOdds.PLAIN_MAX + 1, 1000), "large reads are always tried");
        assertEquals(0, plainReads(odds, 10, 4096, 1000), "another descriptor");
        assertTrue(odds.worthTrying(9, true), "a trusted descriptor is tried even while the engine is busy");
        odds.miss(9);
        assertEquals(0, plainReads(odds, 9, 4096, 1000), "a try that missed ended the trust");
        for (int i = 0; i < PageCacheOdds.TRUST_RUN; i++) odds.hit(9);
        odds.settle(9, true);
        odds.forget(9);
        assertEquals(0, plainReads(odds, 9, 4096, 1000), "closing forgets the trust");
        for (int i = 0; i < PageCacheOdds.TRUST_RUN; i++) odds.hit(70_000); // beyond the initial table: it grows
        odds.settle(70_000, true);
        assertTrue(plainReads(odds, 70_000, 4096, 1000) > 850);
        for (int i = 0; i < 3 * PageCacheOdds.TRUST_RUN; i++) odds.hit(11);
        odds.settle(11, false);
        for (int i = 0; i < 3 * PageCacheOdds.TRUST_RUN; i++) assertFalse(odds.hit(11));
        assertEquals(0, plainReads(odds, 11, 4096, 1000), "not a regular file: never trusted, however long the run");
    }

    /**
     * Reads of a device whose every try hits ({@code /dev/zero} takes {@code RWF_NOWAIT}) never
     * become plain calls: Io asks the descriptor's type when its run is complete.
     */
    @Test
    void aDeviceIsNeverTrusted() throws Exception {
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8).withThreadName("page-cache-odds-test"));
             Arena arena = Arena.ofShared()) {
            Io io = new Io(e);
            int fd = io.openat(LinuxAbi.AT_FDCWD, arena.allocateFrom("/dev/zero"), LinuxAbi.O_CLOEXEC, 0);
            assertTrue(fd >= 0, "open: " + fd);
            MemorySegment buf = arena.allocate(4096);
            OnVirtualThread.call(() -> {
                assertEquals(4096, Syscalls.preadv2(fd, buf.address(), 4096, -1, Io.RWF_NOWAIT), "a try of /dev/zero hits");
                for (int i = 0; i < 3 * PageCacheOdds.TRUST_RUN; i++) assertEquals(4096, io.read(fd, buf.address(), 4096, -1, true, false));
                return null;
            });
            assertFalse(io.odds.hit(fd), "the run was complete");
            assertEquals(0, plainReads(io.odds, fd, 4096, 1000));
            assertEquals(0, io.close(fd));
        }
    }

    /**
     * A virtual thread whose reads of a file keep hitting the page cache earns the trust; once the
     * file's pages are dropped, a try misses and ends it, and every read returns the file's bytes,
     * by whichever route it went.
     */
    @Test
    void droppedPagesEndTheTrustOfAFileAndReadsStayRight(@TempDir Path dir) throws Exception {
        byte[] data = new byte[2 << 20];
        new SplittableRandom(42).nextBytes(data);
        Path file = Files.write(dir.resolve("f"), data);
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8).withThreadName("page-cache-odds-test"));
             Arena arena = Arena.ofShared()) {
            Io io = new Io(e);
            int fd = io.openat(LinuxAbi.AT_FDCWD, arena.allocateFrom(file.toString()), LinuxAbi.O_CLOEXEC, 0);
            assertTrue(fd >= 0, "open: " + fd);
            assertEquals(0, io.fsync(fd, true)); // clean pages: DONTNEED drops only those
            MemorySegment buf = arena.allocate(4096, 4096);
            SplittableRandom random = new SplittableRandom(7);
            int readsToNotice = OnVirtualThread.call(() -> {
                for (int i = 0; i < 2 * PageCacheOdds.TRUST_RUN; i++) readBlock(io, fd, buf, random.nextInt(data.length / 4096), data);
                assertTrue(plainReads(io.odds, fd, 4096, 64) > 0, "a cached file was not trusted");
                assertEquals(0, Syscalls.fadvise(fd, 0, 0, 4 /* POSIX_FADV_DONTNEED */));
                for (int i = 1; i <= 1000; i++) {
                    readBlock(io, fd, buf, random.nextInt(data.length / 4096), data);
                    if (plainReads(io.odds, fd, 4096, 64) == 0) return i;
                }
                return -1;
            });
            assertTrue(readsToNotice > 0, "1,000 reads after the pages were dropped still trusted");
            assertEquals(0, io.close(fd));
        }
    }

    private static void readBlock(Io io, int fd, MemorySegment buf, int block, byte[] data) {
        assertEquals(4096, io.read(fd, buf.address(), 4096, block * 4096L, true, false));
        assertArrayEquals(Arrays.copyOfRange(data, block * 4096, block * 4096 + 4096), buf.toArray(ValueLayout.JAVA_BYTE), "block " + block);
    }

    @Test
    void forgetMakesAReusedNumberStartFresh() {
        PageCacheOdds odds = new PageCacheOdds();
        for (int i = 0; i < 10; i++) odds.miss(7);
        odds.miss(5000); // beyond the initial table: it grows
        assertFalse(odds.worthTrying(7, false));
        assertFalse(odds.worthTrying(5000, false));
        odds.forget(7);
        odds.forget(5000);
        odds.forget(-1);
        odds.forget(1 << 20); // never seen: nothing to do, no exception
        for (int i = 0; i < PageCacheOdds.MAX_SKIP + 2; i++) {
            assertTrue(odds.worthTrying(7, false), "try " + i);
            assertTrue(odds.worthTrying(5000, false), "try " + i);
        }
        // the stretch was forgotten too: the next miss skips only once
        odds.miss(7);
        assertFalse(odds.worthTrying(7, false));
        assertTrue(odds.worthTrying(7, false));
    }

    @Test
    void ioForgetsOnForgetAndOnClose() {
        Io io = new Io(null);
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = io.openat(LinuxAbi.AT_FDCWD, a.allocateFrom("/dev/null"), LinuxAbi.O_CLOEXEC, 0);
        }
        assertTrue(fd >= 0);
        io.odds.miss(fd);
        io.odds.miss(fd);
        assertFalse(io.odds.worthTrying(fd, false));
        io.forget(fd);
        assertTrue(io.odds.worthTrying(fd, false));
        io.odds.miss(fd);
        assertEquals(0, io.close(fd));
        assertTrue(io.odds.worthTrying(fd, false), "closing through Io forgets");
    }
}
