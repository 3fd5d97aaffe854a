package io.uringfs.channel;

import io.uringfs.engine.OnVirtualThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code transferTo}/{@code transferFrom} within one file, source and target ranges overlapping
 * (or touching, or apart), through one channel and through two channels on the file: the same
 * result, positions, size and bytes as the default provider, on a platform and on a virtual
 * thread. The default provider's bytes there come from how it copies once copy_file_range has
 * refused the overlap: transferTo's sendfile and transferFrom's mapped copy (16 KiB and more)
 * re-read what they have already written, so a target d bytes ahead of its source repeats the
 * source's first d bytes, while below 16 KiB transferFrom's 8 KiB buffer re-reads only what
 * earlier chunks wrote.
 *
 * <p>Not compared byte for byte: a transferFrom of 16 KiB or more whose target lies 1 to 63
 * bytes ahead of its source. Its mapped copy moves whole cache lines between two addresses of
 * the same page, so what it reads back depends on how the CPU's string copy goes about it: the
 * default provider's own bytes differ from run to run. For those only the result, positions and
 * size are compared.
 *
 * <p>The seed ({@code -Duringfs.overlap.seed=S}) fixes the cases; a failure names it and the case.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a copy that keeps re-reading its own writes fails, not fills the disk
class OverlappingTransferTest {
    private static final long SEED = Long.getLong("uringfs.overlap.seed", 0x0BE71A9L);
    private static final int CASES = 240;
    /** Where the default provider's transferFrom switches from its 8 KiB buffer to a mapping. */
    private static final long MAPPED = 16384;

    @TempDir
    Path dir;

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private static final Opener JDK = FileChannel::open;
    private static final Opener URING = TestIo::open;

    /**
     * One transfer: {@code from} is transferFrom, else transferTo, on channel x; the other end is
     * x itself or a second channel y on the file. {@code endPos} is the other end's position
     * before (transferTo's target, transferFrom's source); {@code xPos} is x's own with two channels.
     */
    record Case(boolean from, boolean same, byte[] content, long position, long count, long endPos, long xPos) {
        /** Whether the bytes written depend on the CPU's copy (see the class comment). */
        boolean bytesUnreproducible() {
            long d = position - endPos, max = Math.min(count, content.length - endPos);
            return from && count >= MAPPED && d > 0 && d < Math.min(64, max);
        }

        /** For the tally: the way the default provider goes and where the ranges lie. */
        String kind(String summary) {
            String way = !from ? "to" : count < MAPPED ? "from/buffer" : "from/mapped";
            if (!summary.startsWith("= ")) return way + "/throws";
            long n = Long.parseLong(summary.substring(2, summary.indexOf(' ', 2)));
            long d = from ? position - endPos : endPos - position;
            return way + (n == 0 ? "/nothing" : d == 0 ? "/onto itself" : Math.abs(d) >= n ? "/apart"
                    : d > 0 ? "/ahead" + (d < 64 ? " < 64" : "") : "/behind") + (n > 8 << 20 ? "/over 8 MiB" : "");
        }

        @Override
        public String toString() {
            return (from ? "transferFrom" : "transferTo") + (same ? " same channel" : " two channels")
                    + " size=" + content.length + " position=" + position + " count=" + count
                    + " endPos=" + endPos + " xPos=" + xPos;
        }
    }

    record Result(String summary, byte[] bytes) {}

    /**
     * Runs the case on a new {@code file}, deleted afterwards: ext4 writes back a file rewritten
     * after truncation when it is closed, and hundreds of megabytes of that slowed the tests after
     * this one.
     */
    private static Result run(Opener opener, Set<OpenOption> options, Path file, Case c) throws Exception {
        Files.write(file, c.content(), CREATE_NEW, WRITE);
        try {
            String summary;
            try (FileChannel x = opener.open(file, options); FileChannel y = c.same() ? x : opener.open(file, options)) {
                x.position(c.xPos());
                y.position(c.endPos());
                summary = Outcome.of(() -> c.from() ? x.transferFrom(y, c.position(), c.count())
                                                    : x.transferTo(c.position(), c.count(), y))
                        + " x.pos=" + x.position() + " y.pos=" + y.position() + " size=" + x.size();
            }
            return new Result(summary, Files.readAllBytes(file));
        } finally {
            Files.delete(file);
        }
    }

    private static Case next(SplittableRandom rnd) {
        int size = switch (rnd.nextInt(25)) {
            case 0 -> 0;
            case 1 -> (8 << 20) + rnd.nextInt(10 << 20); // more than one 8 MiB mapping
            case 2, 3, 4, 5, 6 -> rnd.nextInt(300);
            case 7, 8, 9, 10, 11, 12 -> 300 + rnd.nextInt(70_000);
            default -> 70_000 + rnd.nextInt(1_500_000);
        };
        byte[] content = new byte[size];
        rnd.nextBytes(content);
        long source = switch (rnd.nextInt(10)) {
            case 0 -> size;
            case 1 -> size + 1 + rnd.nextInt(1000);
            default -> rnd.nextInt(size + 1);
        };
        long count = switch (rnd.nextInt(12)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            case 2 -> 1 + rnd.nextInt(63);
            case 3 -> 8192;
            case 4 -> MAPPED - 1;
            case 5 -> MAPPED;
            case 6 -> 8193 + rnd.nextInt(8190);
            case 7 -> size + rnd.nextInt(100_000); // more than there is
            default -> rnd.nextLong(Math.max(1, size - source) + 1);
        };
        long span = Math.max(1, Math.min(count, Math.max(0, size - source)));
        long d = switch (rnd.nextInt(9)) {
            case 0 -> 0;
            case 1 -> 1 + rnd.nextInt(63);
            case 2 -> -1 - rnd.nextInt(63);
            case 3 -> 64 + rnd.nextLong(span + 64);
            case 4 -> -64 - rnd.nextLong(span + 64);
            case 5 -> span + rnd.nextInt(1000); // apart or just touching
            case 6 -> 1 + rnd.nextLong(span);
            default -> rnd.nextBoolean() ? rnd.nextLong(span + 1) : -rnd.nextLong(span + 1);
        };
        boolean same = rnd.nextBoolean();
        return of(rnd.nextBoolean(), same, content, source, Math.max(0, source + d), count, same ? 0 : rnd.nextInt(size + 10));
    }

    /** A transfer from {@code source} to {@code target} in the file, whichever end x is. */
    private static Case of(boolean from, boolean same, byte[] content, long source, long target, long count, long xPos) {
        // transferTo: x reads at source and writes at the target's position; transferFrom: x
        // writes at target and reads at the source's position
        return from ? new Case(true, same, content, target, count, source, xPos)
                    : new Case(false, same, content, source, count, target, xPos);
    }

    private String check(Case c, String what) throws Exception {
        return check(c, what, Set.of(READ, WRITE));
    }

    /** Runs the case on the default provider, then on uring on this thread and on a virtual one; its kind. */
    private String check(Case c, String what, Set<OpenOption> options) throws Exception {
        Result expected = run(JDK, options, dir.resolve("jdk"), c);
        Result platform = run(URING, options, dir.resolve("platform"), c);
        Result virtual = OnVirtualThread.call(() -> run(URING, options, dir.resolve("virtual"), c));
        for (Result actual : new Result[] {platform, virtual}) {
            String thread = actual == platform ? " (platform thread)" : " (virtual thread)";
            assertEquals(expected.summary(), actual.summary(), what + thread);
            if (!c.bytesUnreproducible()) {
                int at = Arrays.mismatch(expected.bytes(), actual.bytes());
                assertEquals(-1, at, () -> what + thread + ": bytes differ from offset " + at);
            }
        }
        return c.kind(expected.summary());
    }

    @Test
    void overlappingTransfersWithinOneFileMatchTheDefaultProvider() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED);
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            Case c = next(rnd);
            seen.merge(check(c, "seed " + SEED + " case " + i + ": " + c), 1, Integer::sum);
        }
        System.out.println("overlapping transfers, seed " + SEED + ", " + CASES + " cases: " + seen);
    }

    /** More than one 8 MiB mapping, which the random cases seldom move. */
    @Test
    void largeOverlappingTransfersMatchTheDefaultProvider() throws Exception {
        byte[] content = new byte[12 << 20];
        new SplittableRandom(SEED).nextBytes(content);
        long all = Long.MAX_VALUE;
        Case[] cases = {
            of(false, true, content, 1000, 1000 + 4196, all, 0),
            of(false, false, content, 3 << 20, 100, all, 7),
            of(true, true, content, 1000, 1100, all, 0), // the second mapping shows the first one's writes
            of(true, false, content, 1000, 1000 + (9 << 20), all, 5),
            of(true, false, content, 6 << 20, 5000, all, 0),
        };
        for (int i = 0; i < cases.length; i++) check(cases[i], "seed " + SEED + " large case " + i + ": " + cases[i]);
    }

    /**
     * With O_DIRECT sendfile refuses ranges it cannot read aligned, and the default provider's
     * transferTo goes on to its mapping or copy loop, whose writes then fail the alignment checks
     * (or, aligned, succeed).
     */
    @Test
    void directTransfersWithinOneFileMatchTheDefaultProvider() throws Exception {
        byte[] content = new byte[200_000];
        new SplittableRandom(SEED).nextBytes(content);
        long[][] ranges = {{4096, 8192, 20_000}, {4096, 8192, 65_536}, {100, 200, 20_000}, {0, 4096, 100}, {4096, 4196, 20_000}};
        for (boolean from : new boolean[] {false, true}) {
            for (boolean same : new boolean[] {true, false}) {
                for (long[] r : ranges) {
                    Case c = of(from, same, content, r[0], r[1], r[2], 0);
                    check(c, "O_DIRECT " + c, Set.of(READ, WRITE, TestIo.DIRECT));
                }
            }
        }
    }
}
