package io.uringfs.engine;

import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When stats of paths become plain calls ({@link LookupOdds}), and that a virtual thread's stat
 * answers exactly as the plain statx(2) does by either route: the O_PATH open with
 * RESOLVE_CACHED while lookups are untrusted, the plain call once they are trusted.
 */
class LookupOddsTest {
    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_ALL = 0xfff, O_RDONLY = 0, O_CLOEXEC = 0x80000;

    @TempDir Path dir;

    @Test
    void trustedAfterARunOfCachedLookupsUntilAMissOrSlowStatsInARow() {
        LookupOdds odds = new LookupOdds();
        for (int i = 0; i < LookupOdds.RUN; i++) {
            assertFalse(odds.trusted(), "after " + i + " cached lookups");
            odds.cachedLookup(true);
        }
        assertTrue(odds.trusted());
        odds.plainLookupTook(LookupOdds.SLOW_NANOS);
        assertTrue(odds.trusted(), "a stat as slow as the limit is not taken for a disk read");
        odds.cachedLookup(false);
        assertFalse(odds.trusted(), "a lookup that would have blocked ends trust");
        for (int i = 0; i < LookupOdds.RUN - 1; i++) odds.cachedLookup(true);
        assertFalse(odds.trusted(), "the run starts again from nothing");
        odds.cachedLookup(true);
        assertTrue(odds.trusted());
        for (int i = 0; i < 3 * LookupOdds.RUN; i++) odds.cachedLookup(true);
        for (int i = 0; i < 10; i++) {
            odds.plainLookupTook(LookupOdds.SLOW_NANOS + 1);
            odds.plainLookupTook(1_000);
        }
        assertTrue(odds.trusted(), "slow stats between quick ones are taken for preemption, not the disk");
        for (int i = 1; i < LookupOdds.SLOW_RUN; i++) odds.plainLookupTook(LookupOdds.SLOW_NANOS + 1);
        assertTrue(odds.trusted(), "fewer slow stats in a row than the limit keep trust");
        odds.plainLookupTook(LookupOdds.SLOW_NANOS + 1);
        assertFalse(odds.trusted(), LookupOdds.SLOW_RUN + " slow plain stats in a row end trust, however long the run was");
        for (int i = 0; i < LookupOdds.RUN; i++) odds.cachedLookup(true);
        odds.plainLookupTook(LookupOdds.SLOW_NANOS + 1);
        assertTrue(odds.trusted(), "the slow count starts again with trust");
    }

    @Test
    void virtualThreadStatsAnswerAsThePlainCallByEitherRoute() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "data");
        Files.createDirectory(dir.resolve("dir"));
        Files.createSymbolicLink(dir.resolve("link"), file);
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing"));
        String[] names = {"file", "dir", "link", "dangling", "missing", "file/below", "missing/below", ""};
        try (Engine e = Engine.start(EngineConfig.defaults().withSqEntries(8).withThreadName("lookup-odds-test"));
             Arena arena = Arena.ofShared()) {
            Io io = new Io(e);
            List<String> expected = new ArrayList<>();
            List<MemorySegment> paths = new ArrayList<>();
            for (String name : names) {
                MemorySegment p = arena.allocateFrom(name.isEmpty() ? dir.toString() : dir.resolve(name).toString());
                paths.add(p);
                for (int flags : new int[] {0, AT_SYMLINK_NOFOLLOW}) expected.add(name + " " + flags + ": " + stat(p, flags, false, io));
            }
            MemorySegment cached = paths.get(0);
            List<String> untrusted = OnVirtualThread.call(() -> {
                io.lookups.cachedLookup(false);
                List<String> out = new ArrayList<>();
                for (int i = 0; i < names.length; i++) {
                    for (int flags : new int[] {0, AT_SYMLINK_NOFOLLOW}) {
                        out.add(names[i] + " " + flags + ": " + stat(paths.get(i), flags, true, io));
                        io.lookups.cachedLookup(false); // each stat by the O_PATH route
                    }
                }
                return out;
            });
            List<String> trusted = OnVirtualThread.call(() -> {
                for (int i = 0; i <= LookupOdds.RUN; i++) Syscalls.close(io.openat(AT_FDCWD, cached, O_RDONLY | O_CLOEXEC, 0));
                assertTrue(io.lookups.trusted(), "cached opens of a file made no run of cached lookups");
                List<String> out = new ArrayList<>();
                for (int i = 0; i < names.length; i++) {
                    for (int flags : new int[] {0, AT_SYMLINK_NOFOLLOW}) out.add(names[i] + " " + flags + ": " + stat(paths.get(i), flags, true, io));
                }
                return out;
            });
            assertEquals(String.join("\n", expected), String.join("\n", untrusted));
            assertEquals(String.join("\n", expected), String.join("\n", trusted));
            assertTrue(expected.stream().anyMatch(s -> s.startsWith("missing 0: errno 2")), String.join("\n", expected));
        }
    }

    /**
     * The statx buffer in hex, or the errno; by {@code io} when {@code viaIo}, else the plain call.
     * The access time is left out: following a symbolic link may update the link's own atime, so
     * the scenario itself moves it between stats (seen on a clean clone's run).
     */
    private static String stat(MemorySegment path, int flags, boolean viaIo, Io io) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            int r = viaIo ? io.statx(AT_FDCWD, path, flags, STATX_ALL, buf) : Syscalls.statx(AT_FDCWD, path, flags, STATX_ALL, buf);
            if (r < 0) return "errno " + -r;
            buf.asSlice(LinuxAbi.STX_ATIME, 16).fill((byte) 0);
            return HexFormat.of().formatHex(buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }
}
