package io.uringfs.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The main job: reads every regular file of a real directory tree from thousands of virtual
 * threads, once through the JDK's default provider and once through {@code uring:} paths, checks
 * that both read the same bytes (SHA-256 of each file), and prints files, bytes, seconds and peak
 * platform threads side by side. As root, the page cache is dropped before each pass so both read
 * from the disk.
 *
 * <p>Usage: {@code ./run demo [DIR] [--concurrency N] [--hot]} (DIR defaults to /usr/share).
 */
public final class Demo {
    private record Pass(String name, long files, long bytes, double seconds, int peakPlatformThreads,
                        int addedPlatformThreads, long failures, String[] digests) {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of("/usr/share");
        int concurrency = 2_000;
        boolean hot = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--hot" -> hot = true;
                default -> root = Path.of(args[i]);
            }
        }
        root = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            System.err.println("not a directory: " + root);
            System.exit(2);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p)).toList();
        }
        boolean cold = !hot && canDropCaches();
        System.out.printf("uringfs demo: %,d files under %s, read by one virtual thread per file, %,d at a time, %s%n%n",
                files.size(), root, concurrency,
                cold ? "page cache dropped before each pass" : "page cache hot (run as root without --hot for cold reads)");

        // Untimed warm-up of both code paths on a few files, so neither pass pays class loading.
        int warm = Math.min(50, files.size());
        run("warm-up", files.subList(0, warm), p -> p, concurrency);
        run("warm-up", files.subList(0, warm), Demo::toUring, concurrency);

        if (cold) dropCaches();
        Pass def = run("default (file:)", files, p -> p, concurrency);
        if (cold) dropCaches();
        Pass uring = run("uringfs (uring:)", files, Demo::toUring, concurrency);

        System.out.printf("%-18s %8s %16s %9s %9s %15s %14s%n", "provider", "files", "bytes", "seconds", "MiB/s",
                "peak platform", "added by pass");
        for (Pass p : List.of(def, uring)) {
            System.out.printf("%-18s %,8d %,16d %9.2f %9.1f %15d %14d%n", p.name, p.files, p.bytes, p.seconds,
                    p.bytes / 1048576.0 / p.seconds, p.peakPlatformThreads, p.addedPlatformThreads);
        }
        System.out.println("(peak platform: all JVM threads incl. GC and JIT; added by pass: peak minus the count before it)");
        long differing = 0;
        for (int i = 0; i < files.size(); i++) {
            if (!java.util.Objects.equals(def.digests[i], uring.digests[i])) {
                if (differing++ < 10) System.out.println("DIFFERENT: " + files.get(i));
            }
        }
        System.out.printf("%nspeed-up %.2fx; ", def.seconds / uring.seconds);
        if (differing == 0 && def.failures == 0 && uring.failures == 0) {
            System.out.printf("all %,d files read identically through both providers (SHA-256 of every byte)%n", files.size());
        } else {
            System.out.printf("%,d files differ, %,d/%,d read failures%n", differing, def.failures, uring.failures);
            System.exit(1);
        }
    }

    private static Path toUring(Path p) {
        return Path.of(URI.create("uring://" + p.toUri().getRawPath()));
    }

    private static Pass run(String name, List<Path> files, Function<Path, Path> map, int concurrency)
            throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();
        String[] digests = new String[files.size()];
        AtomicLong bytes = new AtomicLong(), failures = new AtomicLong();
        Semaphore permits = new Semaphore(concurrency);
        long start = System.nanoTime();
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < files.size(); i++) {
                permits.acquire();
                int index = i;
                ex.submit(() -> {
                    try {
                        byte[] content = Files.readAllBytes(map.apply(files.get(index)));
                        bytes.addAndGet(content.length);
                        digests[index] = HexFormat.of().formatHex(sha256().digest(content));
                    } catch (IOException | RuntimeException e) {
                        if (failures.incrementAndGet() <= 5) System.err.println(name + ": " + files.get(index) + ": " + e);
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int peak = threads.getPeakThreadCount();
        return new Pass(name, files.size() - failures.get(), bytes.get(), seconds, peak, peak - before,
                failures.get(), digests);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean canDropCaches() {
        return Files.isWritable(Path.of("/proc/sys/vm/drop_caches"));
    }

    private static void dropCaches() throws IOException {
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }

    private Demo() {}
}
