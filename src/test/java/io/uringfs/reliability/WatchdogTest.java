package io.uringfs.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's hang detector catches a stuck virtual thread and dumps it, and stays quiet otherwise. */
class WatchdogTest {

    @Test
    void stalledVirtualThreadIsReportedWithItsStackAndAThreadDump(@TempDir Path dir) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        Watchdog[] dog = new Watchdog[1];
        CountDownLatch started = new CountDownLatch(1);
        Thread busy = Thread.ofVirtual().unstarted(() -> {
            awaitUninterruptibly(started);
            while (!stop.get()) {
                dog[0].progress(0);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
            dog[0].done(0);
        });
        Thread stuck = Thread.ofVirtual().name("stuck-worker").unstarted(() -> {
            awaitUninterruptibly(started);
            dog[0].progress(1);
            awaitUninterruptibly(never);
            dog[0].done(1);
        });
        dog[0] = new Watchdog(List.of(busy, stuck), TimeUnit.MILLISECONDS.toNanos(500), null, dir);
        try (Watchdog w = dog[0]) {
            busy.start();
            stuck.start();
            started.countDown();
            assertTrue(w.awaitHang(20, TimeUnit.SECONDS), "no hang reported");
            String report = w.report();
            assertTrue(report.contains("1 worker(s)") && report.contains("worker 1 ") && report.contains("stuck-worker"), report);
            assertTrue(report.contains("awaitUninterruptibly"), "the stuck thread's stack: " + report);
            assertFalse(report.contains("worker 0 "), report);
            try (var files = Files.list(dir)) {
                Path dump = files.filter(p -> p.getFileName().toString().startsWith("soak-hang-threads-")).findFirst().orElseThrow();
                assertTrue(report.contains(dump.toString()), report);
                assertTrue(Files.readString(dump).contains("stuck-worker"), "the dump lists virtual threads");
            }
        } finally {
            stop.set(true);
            never.countDown();
            busy.join();
            stuck.join();
        }
    }

    @Test
    void workersThatProgressOrFinishAreNoHang(@TempDir Path dir) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Watchdog[] dog = new Watchdog[1];
        CountDownLatch started = new CountDownLatch(1);
        Thread busy = Thread.ofVirtual().unstarted(() -> {
            awaitUninterruptibly(started);
            while (!stop.get()) {
                dog[0].progress(0);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Thread finished = Thread.ofVirtual().unstarted(() -> {
            awaitUninterruptibly(started);
            dog[0].done(1);
        });
        dog[0] = new Watchdog(List.of(busy, finished), TimeUnit.MILLISECONDS.toNanos(300), null, dir);
        try (Watchdog w = dog[0]) {
            busy.start();
            finished.start();
            started.countDown();
            assertFalse(w.awaitHang(2, TimeUnit.SECONDS), () -> w.report());
        } finally {
            stop.set(true);
            busy.join();
            finished.join();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // keep waiting: this stands for a wait that never ends
            }
        }
    }
}
