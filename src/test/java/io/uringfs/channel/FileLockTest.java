package io.uringfs.channel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * File locks: the JVM-wide rules (overlap, release, invalidation on close, argument and access
 * checks) compared outcome by outcome with the default provider, and real POSIX conflicts with a
 * lock held by another process (a child JVM locking through the default provider, i.e. classic
 * fcntl record locks, which conflict with uring's open-file-description locks).
 */
class FileLockTest {
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private static final Opener JDK = (p, o) -> FileChannel.open(p, o);
    private static final Opener URING = (p, o) -> TestIo.open(p, o);

    private static String lock(FileLock l) {
        return l == null ? "null" : (l.isShared() ? "shared " : "exclusive ") + l.position() + "+" + l.size()
                + (l.isValid() ? " valid" : " invalid");
    }

    /** One JVM, two channels on the file: every rule of FileLock, recorded as outcomes. */
    private List<String> inJvm(Opener opener, Path f) throws Exception {
        Files.write(f, new byte[100]);
        List<String> out = new ArrayList<>();
        FileChannel a = opener.open(f, Set.of(READ, WRITE)), b = opener.open(f, Set.of(READ, WRITE));
        FileChannel ro = opener.open(f, Set.of(READ)), wo = opener.open(f, Set.of(WRITE));
        try {
            FileLock whole = a.lock();
            out.add(lock(whole));
            out.add(String.valueOf(whole.channel() == a && whole.acquiredBy() == a));
            out.add(Outcome.of(() -> lock(a.tryLock(0, 1, false))));
            out.add(Outcome.of(() -> lock(b.tryLock(50, 1, true))));
            out.add(Outcome.of(() -> lock(b.lock(99, 10, false))));
            whole.release();
            out.add(lock(whole));
            out.add(Outcome.of(() -> {
                whole.release(); // a second release is a no-op
                return lock(whole);
            }));
            FileLock l1 = a.lock(0, 10, false), l2 = b.lock(10, 10, false);
            out.add(lock(l1) + " / " + lock(l2));
            out.add(l1.overlaps(5, 10) + " " + l1.overlaps(10, 5));
            out.add(Outcome.of(() -> lock(b.tryLock(9, 2, false))));
            FileLock s1 = a.tryLock(30, 10, true);
            out.add(lock(s1));
            // shared locks overlap too, as far as one JVM's table is concerned
            out.add(Outcome.of(() -> lock(b.tryLock(30, 10, true))));
            out.add(Outcome.of(() -> lock(ro.tryLock(50, 5, true))));
            out.add(Outcome.of(() -> lock(ro.tryLock(60, 5, false))));
            out.add(Outcome.of(() -> lock(ro.lock(60, 5, false))));
            out.add(Outcome.of(() -> lock(wo.tryLock(70, 5, true))));
            out.add(Outcome.of(() -> lock(wo.lock(70, 5, true))));
            out.add(Outcome.of(() -> lock(wo.lock(70, 5, false))));
            out.add(Outcome.of(() -> lock(a.tryLock(-1, 5, false))));
            out.add(Outcome.of(() -> lock(a.tryLock(80, -1, false))));
            out.add(Outcome.of(() -> lock(a.lock(Long.MAX_VALUE, 5, false))));
            out.add(Outcome.of(() -> lock(a.tryLock(200, 0, false)))); // size 0: to the end and beyond
            out.add(Outcome.of(() -> lock(b.tryLock(1000, 1, false))));
            // closing a channel invalidates its locks and frees their ranges for others
            a.close();
            out.add(lock(l1) + " / " + lock(s1) + " / " + lock(l2));
            out.add(Outcome.of(() -> {
                l1.close();
                return "closed";
            }));
            FileLock again = b.lock(0, 10, false);
            out.add(lock(again));
            again.close(); // FileLock is AutoCloseable: close releases
            out.add(lock(again));
            out.add(Outcome.of(() -> lock(b.tryLock(0, 10, false))));
        } finally {
            for (FileChannel c : List.of(a, b, ro, wo)) c.close();
        }
        return out;
    }

    @Test
    void jvmRulesMatchTheDefaultProvider() throws Exception {
        List<String> jdk = inJvm(JDK, dir.resolve("j"));
        List<String> uring = inJvm(URING, dir.resolve("u"));
        assertEquals(String.join("\n", jdk), String.join("\n", uring));
        assertTrue(jdk.contains("java.nio.channels.OverlappingFileLockException: null"), jdk::toString);
    }

    private void childLocks(Path f, long position, long size, boolean shared) throws Exception {
        Path classes = Path.of(LockHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes.toString(),
                LockHolder.class.getName(), f.toString(), String.valueOf(position), String.valueOf(size),
                String.valueOf(shared)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertEquals("locked", childOut().readLine());
    }

    private BufferedReader childOut;

    private BufferedReader childOut() {
        if (childOut == null) {
            childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        }
        return childOut;
    }

    private void tellChild(String line) throws Exception {
        Writer w = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        w.write(line + "\n");
        w.flush();
    }

    /** What tryLock answers while another process holds [0, 100) exclusively. */
    private List<String> againstChild(Opener opener, Path f) throws Exception {
        List<String> out = new ArrayList<>();
        try (FileChannel ch = opener.open(f, Set.of(READ, WRITE))) {
            out.add(Outcome.of(() -> lock(ch.tryLock(0, 10, false))));
            out.add(Outcome.of(() -> lock(ch.tryLock(50, 10, true))));
            out.add(Outcome.of(() -> lock(ch.tryLock(90, 20, false))));
            out.add(Outcome.of(() -> lock(ch.tryLock())));
            FileLock free = ch.tryLock(100, 10, false);
            out.add(lock(free));
            // the failed attempts left nothing in the JVM's table: the same ranges can be asked again
            out.add(Outcome.of(() -> lock(ch.tryLock(0, 10, false))));
            free.release();
        }
        return out;
    }

    @Test
    void tryLockAgainstAnotherProcessMatchesTheDefaultProvider() throws Exception {
        Path f = Files.write(dir.resolve("x"), new byte[200]);
        childLocks(f, 0, 100, false);
        List<String> jdk = againstChild(JDK, f);
        List<String> uring = againstChild(URING, f);
        assertEquals(String.join("\n", jdk), String.join("\n", uring));
        assertEquals("= null", uring.get(0), "a range another process holds is not granted");
        assertEquals("exclusive 100+10 valid", uring.get(4));
        try (AsynchronousFileChannel ach = TestIo.openAsync(TestIo.IO, f, null, READ, WRITE)) {
            assertNull(ach.tryLock(0, 10, false));
            assertNotNull(ach.tryLock(150, 10, false));
        }
    }

    @Test
    void sharedLocksOfTwoProcessesCoexist() throws Exception {
        Path f = Files.write(dir.resolve("s"), new byte[10]);
        childLocks(f, 0, 10, true);
        try (FileChannel ch = TestIo.open(f, READ, WRITE)) {
            assertEquals("shared 0+10 valid", lock(ch.tryLock(0, 10, true)));
        }
        try (FileChannel ch = TestIo.open(f, READ, WRITE)) {
            assertNull(ch.tryLock(0, 10, false));
        }
    }

    @Test
    void blockingLockWaitsForTheOtherProcess() throws Exception {
        Path f = Files.write(dir.resolve("b"), new byte[10]);
        childLocks(f, 0, 10, false);
        try (FileChannel ch = TestIo.open(f, READ, WRITE);
             AsynchronousFileChannel ach = TestIo.openAsync(TestIo.IO, f, null, READ, WRITE)) {
            CompletableFuture<FileLock> got = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    got.complete(ch.lock(0, 5, false));
                } catch (Throwable e) {
                    got.completeExceptionally(e);
                }
            });
            Future<FileLock> async = ach.lock(5, 5, false);
            Thread.sleep(200);
            assertFalse(got.isDone(), "lock granted while another process holds the range");
            assertFalse(async.isDone(), "async lock granted while another process holds the range");
            tellChild("release");
            assertEquals("released", childOut().readLine());
            assertEquals("exclusive 0+5 valid", lock(got.get(10, TimeUnit.SECONDS)));
            assertEquals("exclusive 5+5 valid", lock(async.get(10, TimeUnit.SECONDS)));
            t.join();
        }
    }

    @Test
    void asyncLockRulesMatchTheDefaultProvider() throws Exception {
        List<List<String>> both = new ArrayList<>();
        for (boolean uring : new boolean[] {false, true}) {
            Path f = Files.write(dir.resolve("a" + uring), new byte[100]);
            List<String> out = new ArrayList<>();
            try (AsynchronousFileChannel a = uring ? TestIo.openAsync(TestIo.IO, f, null, READ, WRITE)
                    : AsynchronousFileChannel.open(f, READ, WRITE);
                 AsynchronousFileChannel ro = uring ? TestIo.openAsync(TestIo.IO, f, null, READ)
                         : AsynchronousFileChannel.open(f, READ)) {
                FileLock l = a.lock(0, 10, false).get();
                out.add(lock(l));
                out.add(Outcome.of(() -> a.lock(5, 10, true)));
                out.add(Outcome.of(() -> Outcome.<FileLock>handler(h -> a.lock(5, 10, false, null, h))));
                out.add(Outcome.of(() -> lock(ro.tryLock(0, 1, true))));
                out.add(Outcome.of(() -> ro.lock(20, 1, false)));
                out.add(Outcome.of(() -> lock(ro.lock(20, 1, true).get())));
                out.add(Outcome.of(() -> a.lock(-1, 1, false)));
                l.release();
                out.add(lock(l));
                out.add(Outcome.of(() -> lock(a.tryLock(5, 10, false))));
            }
            both.add(out);
        }
        assertEquals(String.join("\n", both.get(0)), String.join("\n", both.get(1)));
    }
}
