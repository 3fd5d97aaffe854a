package io.uringfs.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code Files.newInputStream} on a regular file, a FIFO and character devices, step by step on
 * the default provider and on uring: every step's result (or exception class and message) must be
 * the same. The JDK's stream seeks in and asks the size of any seekable channel but its own over a
 * file that is not regular, so uring's stream once failed with "Illegal seek" on a FIFO and skipped
 * nothing on {@code /dev/zero}, where the default provider's reads and discards.
 */
class InputStreamDifferentialTest {
    @TempDir
    Path dir;

    /** Records each step's outcome, as {@link Differential#outcome} does for a whole scenario. */
    private static final class Steps {
        interface Step {
            Object run() throws Exception;
        }

        final List<String> outcomes = new ArrayList<>();

        void add(String name, Step step) {
            String o;
            try {
                Object r = step.run();
                o = "= " + (r instanceof byte[] b ? Arrays.toString(b) : r);
            } catch (Exception e) {
                o = "THROWS " + e.getClass().getName() + ": " + e.getMessage();
            }
            outcomes.add(name + " " + o);
        }
    }

    @FunctionalInterface
    private interface Scenario {
        void run(Path file, Steps steps) throws Exception;
    }

    @FunctionalInterface
    private interface Maker {
        Path make(Path p) throws Exception;
    }

    /**
     * Runs {@code scenario} on {@code file} through the default provider, and through uring from a
     * platform and from a virtual thread (whose reads take other paths in the channel).
     */
    private static void compare(Path file, Scenario scenario) throws Exception {
        List<String> expected = run(file, scenario, Thread.ofPlatform().daemon());
        assertEquals(expected, run(Differential.uring(file), scenario, Thread.ofPlatform().daemon()), file + " platform");
        assertEquals(expected, run(Differential.uring(file), scenario, Thread.ofVirtual()), file + " virtual");
    }

    /** As {@link #compare(Path, Scenario)}, each run on a fresh file made by {@code make}. */
    private void compare(String name, Maker make, Scenario scenario) throws Exception {
        List<String> expected = run(make.make(dir.resolve(name + "-default")), scenario, Thread.ofPlatform().daemon());
        assertEquals(expected, run(Differential.uring(make.make(dir.resolve(name + "-platform"))), scenario,
                Thread.ofPlatform().daemon()), name + " platform");
        assertEquals(expected, run(Differential.uring(make.make(dir.resolve(name + "-virtual"))), scenario,
                Thread.ofVirtual()), name + " virtual");
    }

    private static List<String> run(Path file, Scenario scenario, Thread.Builder thread) throws Exception {
        CompletableFuture<List<String>> outcomes = new CompletableFuture<>();
        thread.start(() -> {
            try {
                Steps steps = new Steps();
                scenario.run(file, steps);
                outcomes.complete(steps.outcomes);
            } catch (Throwable e) {
                outcomes.completeExceptionally(e);
            }
        });
        return outcomes.get(30, TimeUnit.SECONDS);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7);
        return b;
    }

    private static Path fifo(Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
        return p;
    }

    /** The first steps on a stream with data: reads, skips both ways, available, reads of no and of a negative count. */
    private static void firstSteps(InputStream in, Steps s) throws Exception {
        s.add("read", in::read);
        s.add("read(byte[4])", () -> { byte[] b = new byte[4]; return in.read(b) + " " + Arrays.toString(b); });
        s.add("available", in::available);
        s.add("skip 10", () -> in.skip(10));
        s.add("skip 0", () -> in.skip(0));
        s.add("skip -5", () -> in.skip(-5));
        s.add("available", in::available);
        s.add("readNBytes 5", () -> in.readNBytes(5));
        s.add("readNBytes 0", () -> in.readNBytes(0));
        s.add("readNBytes -1", () -> in.readNBytes(-1));
        s.add("transferTo null", () -> in.transferTo(null));
    }

    /** The steps that read after the stream was closed. */
    private static void afterClose(InputStream in, Steps s) throws Exception {
        in.close();
        s.add("close again", () -> { in.close(); return "closed"; });
        s.add("read after close", in::read);
        s.add("read(byte[]) after close", () -> in.read(new byte[4]));
        s.add("available after close", in::available);
        s.add("skip after close", () -> in.skip(3));
        s.add("readAllBytes after close", in::readAllBytes);
        s.add("readNBytes after close", () -> in.readNBytes(3));
        s.add("readNBytes 0 after close", () -> in.readNBytes(0));
        s.add("readNBytes -1 after close", () -> in.readNBytes(-1));
        s.add("transferTo after close", () -> in.transferTo(OutputStream.nullOutputStream()));
        s.add("transferTo null after close", () -> in.transferTo(null));
    }

    @Test
    void regularFile() throws Exception {
        compare("file", p -> Files.write(p, bytes(100)), (f, s) -> {
            InputStream in = Files.newInputStream(f);
            firstSteps(in, s);
            s.add("skip past the end", () -> in.skip(1000));
            s.add("available at the end", in::available);
            s.add("read at the end", in::read);
            s.add("skip -1000", () -> in.skip(-1000));
            s.add("readNBytes 3", () -> in.readNBytes(3));
            s.add("readAllBytes", in::readAllBytes);
            s.add("skip -30", () -> in.skip(-30));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.add("transferTo", () -> in.transferTo(out));
            s.add("transferred", out::toByteArray);
            s.add("skip -50", () -> in.skip(-50));
            Path copy = f.resolveSibling(f.getFileName() + ".copy");
            try (OutputStream fileOut = Files.newOutputStream(copy)) {
                s.add("transferTo a file's stream", () -> in.transferTo(fileOut));
            }
            s.add("copied", () -> Files.readAllBytes(copy));
            afterClose(in, s);
        });
    }

    /**
     * A FIFO with 200 bytes in it, from a writer that stays open for the first steps (the stream
     * must neither block nor fail there) and is closed before those that read to the end.
     * {@code available} is 0 throughout: JDK 25 answers a FIFO with the result of its FIONREAD
     * ioctl, not the count.
     */
    @Test
    void fifo() throws Exception {
        compare("fifo", InputStreamDifferentialTest::fifo, (f, s) -> {
            FileChannel writer = FileChannel.open(Differential.plain(f), READ, WRITE);
            writer.write(ByteBuffer.wrap(bytes(200)));
            InputStream in = Files.newInputStream(f);
            firstSteps(in, s);
            s.add("readNBytes(byte[], 2, 6)", () -> { byte[] b = new byte[8]; return in.readNBytes(b, 2, 6) + " " + Arrays.toString(b); });
            s.add("skipNBytes 4", () -> { in.skipNBytes(4); return "skipped"; });
            s.add("available", in::available);
            writer.close();
            s.add("skip 100", () -> in.skip(100));
            s.add("available", in::available);
            s.add("skip past the end", () -> in.skip(1000));
            s.add("available at the end", in::available);
            s.add("skip at the end", () -> in.skip(10));
            s.add("skip -3 at the end", () -> in.skip(-3));
            s.add("read at the end", in::read);
            s.add("readAllBytes at the end", in::readAllBytes);
            s.add("readNBytes at the end", () -> in.readNBytes(5));
            s.add("transferTo at the end", () -> in.transferTo(OutputStream.nullOutputStream()));
            afterClose(in, s);
        });
    }

    /** The calls that read a FIFO to its end, fed by a writer that blocks on the full pipe meanwhile. */
    @Test
    void fifoReadToTheEnd() throws Exception {
        int size = 300_000; // more than a pipe holds
        Scenario[] scenarios = {
            (f, s) -> {
                try (InputStream in = fed(f, size)) {
                    s.add("readAllBytes", () -> Arrays.hashCode(in.readAllBytes()));
                }
            },
            (f, s) -> {
                try (InputStream in = fed(f, size)) {
                    s.add("readNBytes 250000", () -> in.readNBytes(250_000).length);
                    s.add("readNBytes 100000", () -> in.readNBytes(100_000).length);
                }
            },
            (f, s) -> {
                try (InputStream in = fed(f, size)) {
                    s.add("skip 200000", () -> in.skip(200_000));
                    s.add("skip 200000", () -> in.skip(200_000));
                }
            },
            (f, s) -> {
                try (InputStream in = fed(f, size)) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    s.add("transferTo", () -> in.transferTo(out));
                    s.add("transferred", () -> Arrays.hashCode(out.toByteArray()));
                }
            },
            (f, s) -> {
                Path copy = f.resolveSibling(f.getFileName() + ".copy");
                try (InputStream in = fed(f, size); OutputStream out = Files.newOutputStream(copy)) {
                    s.add("transferTo a file's stream", () -> in.transferTo(out));
                }
                s.add("copied", () -> Arrays.hashCode(Files.readAllBytes(copy)));
            },
        };
        for (int i = 0; i < scenarios.length; i++) {
            compare("fifo" + i, InputStreamDifferentialTest::fifo, scenarios[i]);
        }
    }

    /** A stream on the FIFO {@code f}, into which a thread writes {@code size} bytes and then closes. */
    private static InputStream fed(Path f, int size) throws Exception {
        FileChannel writer = FileChannel.open(Differential.plain(f), READ, WRITE);
        InputStream in = Files.newInputStream(f);
        Thread.ofPlatform().daemon().start(() -> {
            try (writer) {
                writer.write(ByteBuffer.wrap(bytes(size)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return in;
    }

    /**
     * A directory opens, seeks and fails to read; {@code available} goes by lseek's end (ext4: the
     * largest hash offset), not by the size.
     */
    @Test
    void directory() throws Exception {
        compare("dir", Files::createDirectory, (f, s) -> {
            InputStream in = Files.newInputStream(f);
            s.add("skip 10", () -> in.skip(10));
            s.add("skip -4", () -> in.skip(-4));
            s.add("available", in::available);
            s.add("read", in::read);
            s.add("readNBytes 5", () -> in.readNBytes(5));
            s.add("readAllBytes", in::readAllBytes);
            s.add("transferTo", () -> in.transferTo(OutputStream.nullOutputStream()));
            afterClose(in, s);
        });
    }

    @Test
    void devZero() throws Exception {
        compare(Path.of("/dev/zero"), (f, s) -> {
            InputStream in = Files.newInputStream(f);
            s.add("available", in::available);
            s.add("skip 10", () -> in.skip(10));
            s.add("skip 0", () -> in.skip(0));
            s.add("skip -5", () -> in.skip(-5));
            s.add("skip 1 MiB", () -> in.skip(1 << 20));
            s.add("read", in::read);
            s.add("read(byte[8])", () -> in.read(new byte[8]));
            s.add("readNBytes 5", () -> in.readNBytes(5));
            s.add("readNBytes 100000", () -> in.readNBytes(100_000).length);
            s.add("available", in::available);
            afterClose(in, s);
        });
    }

    @Test
    void devUrandom() throws Exception {
        compare(Path.of("/dev/urandom"), (f, s) -> {
            InputStream in = Files.newInputStream(f);
            s.add("available", in::available);
            s.add("skip 100", () -> in.skip(100));
            s.add("skip 0", () -> in.skip(0));
            s.add("skip -1", () -> in.skip(-1));
            s.add("readNBytes 16", () -> in.readNBytes(16).length);
            s.add("available", in::available);
            afterClose(in, s);
        });
    }

    @Test
    void devNull() throws Exception {
        compare(Path.of("/dev/null"), (f, s) -> {
            InputStream in = Files.newInputStream(f);
            s.add("available", in::available);
            s.add("skip 10", () -> in.skip(10));
            s.add("skip -5", () -> in.skip(-5));
            s.add("read", in::read);
            s.add("readAllBytes", in::readAllBytes);
            s.add("readNBytes 5", () -> in.readNBytes(5));
            s.add("transferTo", () -> in.transferTo(OutputStream.nullOutputStream()));
            afterClose(in, s);
        });
    }
}
