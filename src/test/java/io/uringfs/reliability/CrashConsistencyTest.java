package io.uringfs.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash consistency: a child JVM ({@link CrashWriter}) appends records through {@code uring:}
 * FileChannels from a virtual thread and acknowledges each only once durable ({@code force}, and
 * {@code O_DSYNC} writes); the parent SIGKILLs it at a random moment and checks, through the
 * default provider, that every acknowledged record is present and intact, and from the child's
 * engine counts that every sync and every {@code O_DSYNC} write was a ring op. Several rounds on
 * the same file, so later runs also resume after a kill.
 */
class CrashConsistencyTest {
    private static final long SEED = Long.getLong("uringfs.crash.seed", 0xC0A5_7EADL);

    @Test
    void everyAcknowledgedRecordSurvivesSigkill(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        SplittableRandom rnd = new SplittableRandom(SEED);
        long acknowledged = -1;
        for (int round = 0; round < 3; round++) {
            long killAfterMillis = 200 + rnd.nextInt(800);
            Process child = ChildJvm.start(CrashWriter.class, file.toString());
            AtomicLong lastAck = new AtomicLong(-1), firstAck = new AtomicLong(-1);
            AtomicLong ringWrites = new AtomicLong(), ringFsyncs = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean ring = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("ack ")) {
                            String[] f = line.split(" ");
                            ringWrites.set(Long.parseLong(f[2]));
                            ringFsyncs.set(Long.parseLong(f[3]));
                            firstAck.compareAndSet(-1, Long.parseLong(f[1]));
                            lastAck.set(Long.parseLong(f[1]));
                        } else if (line.equals("ring true")) ring.set(true);
                    }
                } catch (java.io.IOException ignored) {
                    // the pipe breaks when the child is killed
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAck.get() < acknowledged + 1 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(child.isAlive(), () -> "seed " + SEED + ": the writer died on its own, exit " + child.exitValue());
            Thread.sleep(killAfterMillis);
            child.destroyForcibly();  // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            long acked = lastAck.get();
            assertTrue(acked > acknowledged, "seed " + SEED + ": no progress in round " + round);
            assertTrue(ring.get(), "the writer did not run on io_uring");
            // the child's counts as of its last acknowledgement: every force, and every O_DSYNC (odd) write, on the ring
            long records = acked - firstAck.get() + 1, odd = (acked + 1) / 2 - firstAck.get() / 2;
            assertTrue(ringFsyncs.get() >= records, "seed " + SEED + ": " + records + " forced records, ring FSYNC ops " + ringFsyncs);
            assertTrue(ringWrites.get() >= odd, "seed " + SEED + ": " + odd + " O_DSYNC records, ring WRITE ops " + ringWrites);
            System.out.printf("crash round %d (seed %d): killed after %d ms, %d records acknowledged (ring: %d WRITE, %d FSYNC)%n",
                    round, SEED, killAfterMillis, acked - acknowledged, ringWrites.get(), ringFsyncs.get());
            acknowledged = acked;
            verify(file, acknowledged);
        }
    }

    private static void verify(Path file, long acknowledged) throws Exception {
        byte[] all = Files.readAllBytes(file);
        assertTrue(all.length >= (acknowledged + 1) * CrashWriter.RECORD,
                "seed " + SEED + ": file has " + all.length + " bytes, acknowledged records need " + (acknowledged + 1) * CrashWriter.RECORD);
        for (long seq = 0; seq <= acknowledged; seq++) {
            ByteBuffer expected = CrashWriter.record(seq);
            ByteBuffer actual = ByteBuffer.wrap(all, (int) (seq * CrashWriter.RECORD), CrashWriter.RECORD);
            assertEquals(expected, actual, "seed " + SEED + ": acknowledged record " + seq + " damaged");
        }
    }
}
