package io.uringfs.engine;

import io.uringfs.ring.LinuxAbi;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

/** The skip stretch per descriptor, and that closing a descriptor forgets it. */
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
