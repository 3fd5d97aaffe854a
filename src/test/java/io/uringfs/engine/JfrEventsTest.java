package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's JFR events: recorded with the right content when enabled, absent and allocation-free
 * when not.
 */
class JfrEventsTest {
    private static final String OP = "io.uringfs.Operation", STATS = "io.uringfs.RingStatistics";

    private static Engine start(String name) throws UringUnavailableException {
        return Engine.start(EngineConfig.defaults().withSqEntries(8).withThreadName(name));
    }

    @Test
    void operationAndStatisticsEventsWhenEnabled(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("ops.jfr");
        try (Engine e = start("jfr-test-enabled"); Arena arena = Arena.ofConfined(); Recording rec = new Recording()) {
            rec.enable(OP);
            rec.enable(STATS).withPeriod(Duration.ofMillis(50));
            rec.start();
            for (int i = 0; i < 100; i++) assertEquals(0, e.nop());
            MemorySegment buf = arena.allocate(4096);
            Io io = new Io(e);
            // A read of 4096 bytes from /proc/self/stat's fd through the ring (no NOWAIT attempt),
            // from a virtual thread: platform threads make such device waits as plain syscalls.
            int fd = io.openat(-100, arena.allocateFrom("/proc/self/stat"), 0, 0);
            assertTrue(fd >= 0);
            long[] result = new long[3];
            MemorySegment created = arena.allocateFrom(dir.resolve("created").toString());
            Thread reader = Thread.ofVirtual().start(() -> {
                result[0] = io.read(fd, buf.address(), 4096, 0, false, false);
                result[1] = io.read(1 << 20, buf.address(), 16, 0, false, false);
                // an open that creates is a ring op (opens of cached paths are plain calls)
                result[2] = io.openat(-100, created, 0102 /* O_RDWR|O_CREAT */, 0644);
            });
            reader.join();
            long n = result[0];
            assertTrue(n > 0);
            io.close(fd);
            assertEquals(-Errno.EBADF, result[1]);
            assertTrue(result[2] >= 0, "openat(O_CREAT): " + result[2]);
            io.close((int) result[2]);
            // Statistics events come from JFR's periodic thread, which a loaded machine may not
            // run for a while: wait until one taken after the ops is recorded, not a fixed time.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            do {
                Thread.sleep(50);
                rec.dump(jfr);
            } while (statistics(RecordingFile.readAllEvents(jfr)).stream().noneMatch(ev -> ev.getLong("submitted") >= 104)
                    && System.nanoTime() < deadline);
            rec.stop();
            rec.dump(jfr);

            List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
            List<RecordedEvent> ops = events.stream().filter(ev -> ev.getEventType().getName().equals(OP)).toList();
            Map<String, Long> byOpcode = ops.stream()
                    .collect(Collectors.groupingBy(ev -> ev.getString("opcode"), Collectors.counting()));
            assertTrue(byOpcode.getOrDefault("NOP", 0L) >= 100, "NOP events: " + byOpcode);
            RecordedEvent read = ops.stream().filter(ev -> ev.getString("opcode").equals("READ") && ev.getInt("fd") == fd)
                    .findFirst().orElseThrow(() -> new AssertionError("no READ event: " + byOpcode));
            assertEquals(4096, read.getLong("requested"));
            assertEquals(n, read.getInt("result"));
            assertFalse(read.getDuration().isNegative());
            assertEquals(reader.threadId(), read.getThread().getJavaThreadId(),
                    "a blocking op's event is committed by the calling thread");
            assertTrue(read.getStackTrace().getFrames().stream()
                    .anyMatch(f -> f.getMethod().getName().contains("operationAndStatisticsEventsWhenEnabled")));
            assertTrue(ops.stream().anyMatch(ev -> ev.getString("opcode").equals("READ") && ev.getInt("result") == -Errno.EBADF),
                    "failed read recorded with -EBADF");
            assertTrue(ops.stream().anyMatch(ev -> ev.getString("opcode").equals(IoUring.opName(IoUring.OP_OPENAT))));

            List<RecordedEvent> stats = statistics(events);
            assertFalse(stats.isEmpty(), "no RingStatistics event for the engine");
            RecordedEvent last = stats.getLast();
            assertTrue(last.getLong("submitted") >= 104, last.toString());
            assertEquals(e.slotCount(), last.getInt("slots"));
            assertEquals(0, last.getLong("stray"));
            assertEquals(last.getLong("submitted"), last.getLong("completed") + last.getLong("inFlight"), last.toString());
        }
    }

    /** The RingStatistics events of the engine {@link #operationAndStatisticsEventsWhenEnabled} starts. */
    private static List<RecordedEvent> statistics(List<RecordedEvent> events) {
        return events.stream().filter(ev -> ev.getEventType().getName().equals(STATS)
                && ev.getString("engine").equals("jfr-test-enabled")).toList();
    }

    /**
     * With the events disabled (JFR running for something else) no {@link OperationEvent} is ever
     * allocated: JFR's allocation sampler, which does see them when they are enabled (the control
     * run), finds none. The engine's own allocations are not the subject here.
     */
    @Test
    void disabledEventsAreNotRecordedAndAllocateNothing(@TempDir Path dir) throws Exception {
        assertEquals(0, sampledEventAllocations(dir.resolve("disabled.jfr"), false));
        assertTrue(sampledEventAllocations(dir.resolve("enabled.jfr"), true) > 0,
                "control: the sampler sees OperationEvent allocations when the event is enabled");
    }

    private static long sampledEventAllocations(Path jfr, boolean enableOps) throws Exception {
        try (Engine e = start("jfr-test-alloc"); Recording rec = new Recording()) {
            rec.enable("jdk.ObjectAllocationSample").with("throttle", "100000/s");
            if (enableOps) rec.enable(OP).withThreshold(Duration.ofDays(1)); // allocated and timed, never committed
            for (int i = 0; i < 20_000; i++) e.nop(); // JIT warm-up
            rec.start();
            // The sampler takes one object per TLAB refill: enough ops that an allocation per op is seen.
            for (int i = 0; i < 400_000; i++) e.nop();
            rec.stop();
            rec.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        assertTrue(events.stream().noneMatch(ev -> ev.getEventType().getName().equals(OP)),
                "threshold/disabled: no Operation event may be committed");
        return events.stream()
                .filter(ev -> ev.getEventType().getName().equals("jdk.ObjectAllocationSample"))
                .filter(ev -> ev.getClass("objectClass").getName().equals(OperationEvent.class.getName()))
                .count();
    }
}
