package io.uringfs.fs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inotify watch service: same events and errors as the default provider's. */
class UringWatchServiceTest {
    private Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("watch");
    }

    @AfterEach
    void cleanup() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Runs the same changes under a watch on {@code watched}, returns "KIND name" lines in order. */
    private List<String> events(Path watched, WatchEvent.Kind<?>... kinds) throws Exception {
        List<String> out = new ArrayList<>();
        try (WatchService ws = watched.getFileSystem().newWatchService()) {
            WatchKey key = watched.register(ws, kinds);
            assertSame(watched, key.watchable());
            Path real = Path.of(watched.toString());
            Path f = real.resolve("f.txt");
            Files.writeString(f, "one");                           // create (+ modify)
            Files.writeString(f, "two", java.nio.file.StandardOpenOption.APPEND); // modify
            Files.move(f, real.resolve("g.txt"));                  // delete f, create g
            Files.delete(real.resolve("g.txt"));                   // delete g
            Files.createDirectory(real.resolve("sub"));            // create sub
            Files.writeString(real.resolve("marker"), "");          // create marker: end of the scenario
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!out.contains("ENTRY_CREATE marker") && System.nanoTime() < deadline) {
                WatchKey k = ws.poll(1, TimeUnit.SECONDS);
                if (k == null) continue;
                assertSame(key, k);
                for (WatchEvent<?> e : k.pollEvents()) {
                    if (e.kind() != StandardWatchEventKinds.OVERFLOW) {
                        Path name = (Path) e.context();
                        assertSame(watched.getFileSystem(), name.getFileSystem());
                        assertFalse(name.isAbsolute());
                    }
                    String line = e.kind().name() + " " + e.context();
                    // how repeats coalesce depends on when the key was taken: compare without them
                    if (out.isEmpty() || !out.getLast().equals(line)) out.add(line);
                }
                assertTrue(k.reset());
            }
            assertTrue(out.contains("ENTRY_CREATE marker") || !List.of(kinds).contains(ENTRY_CREATE), out.toString());
        }
        Files.deleteIfExists(Path.of(watched.toString()).resolve("marker"));
        Files.deleteIfExists(Path.of(watched.toString()).resolve("sub"));
        return out;
    }

    @Test
    void sameEventsAsTheDefaultProvider() throws Exception {
        List<String> expected = events(dir, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        List<String> actual = events(ThreeProviders.uring(dir), ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        assertEquals(expected, actual);
        assertTrue(actual.contains("ENTRY_DELETE g.txt"), actual.toString());
        assertEquals(events(dir, ENTRY_CREATE), events(ThreeProviders.uring(dir), ENTRY_CREATE));
    }

    /**
     * An attribute change (IN_ATTRIB: times, permissions, an extended attribute) is an
     * ENTRY_MODIFY, as with the default provider. Compared: the events over all polls. Their counts
     * are not deterministic: the kernel merges an inotify event into an identical one still unread
     * in its queue, so the three changes arrive as one to three IN_ATTRIB depending on when the
     * watcher's thread reads; they are checked to lie in that range.
     */
    @Test
    void attributeChangesAreModifyEventsAsTheDefaultProvider() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        Map<String, Integer> expected = attributeChangeEvents(dir);
        Map<String, Integer> actual = attributeChangeEvents(ThreeProviders.uring(dir));
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(Set.of("ENTRY_MODIFY f", "ENTRY_CREATE marker"), actual.keySet());
        for (Map<String, Integer> m : List.of(expected, actual)) {
            assertTrue(m.get("ENTRY_MODIFY f") >= 1 && m.get("ENTRY_MODIFY f") <= 3, m.toString());
            assertEquals(1, m.get("ENTRY_CREATE marker"), m.toString());
        }
    }

    private Map<String, Integer> attributeChangeEvents(Path watched) throws Exception {
        Map<String, Integer> totals = new TreeMap<>();
        try (WatchService ws = watched.getFileSystem().newWatchService()) {
            WatchKey key = watched.register(ws, ENTRY_MODIFY, ENTRY_CREATE);
            Path f = dir.resolve("f");   // changed through the default provider: the same kernel events for both watchers
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000_000L));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
            Files.getFileAttributeView(f, UserDefinedFileAttributeView.class).write("k", ByteBuffer.wrap(new byte[] {1}));
            Files.createFile(dir.resolve("marker"));   // end of the changes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!totals.containsKey("ENTRY_CREATE marker") && System.nanoTime() < deadline) {
                WatchKey k = ws.poll(1, TimeUnit.SECONDS);
                if (k == null) continue;
                assertSame(key, k);
                for (WatchEvent<?> e : k.pollEvents()) totals.merge(e.kind().name() + " " + e.context(), e.count(), Integer::sum);
                assertTrue(k.reset());
            }
        }
        Files.delete(dir.resolve("marker"));
        return totals;
    }

    /**
     * More events than a key holds ({@code jdk.nio.file.WatchService.maxEventsPerPoll}, 512) before
     * it is polled: the key drops them all for one OVERFLOW, which counts the events past the
     * limit, as the default provider's keys do. When to poll: a second directory watched by the
     * same service gets a file after the others, and one inotify descriptor delivers in order, so
     * once its key is signalled the first key has every event (for both providers).
     */
    @Test
    void perKeyOverflowAsTheDefaultProvider() throws Exception {
        int extra = 88;
        List<String> expected = overflowEvents(dir, "jdk", UringWatchKey.MAX_EVENTS + extra);
        List<String> actual = overflowEvents(ThreeProviders.uring(dir), "uring", UringWatchKey.MAX_EVENTS + extra);
        assertEquals(expected, actual);
        assertEquals(List.of("OVERFLOW null x" + extra), actual);
    }

    private List<String> overflowEvents(Path watched, String tag, int files) throws Exception {
        Path a = Files.createDirectory(dir.resolve(tag + "-a"));
        Path b = Files.createDirectory(dir.resolve(tag + "-b"));
        try (WatchService ws = watched.getFileSystem().newWatchService()) {
            WatchKey full = watched.resolve(a.getFileName().toString()).register(ws, ENTRY_CREATE);
            WatchKey marker = watched.resolve(b.getFileName().toString()).register(ws, ENTRY_CREATE);
            for (int i = 0; i < files; i++) Files.createFile(a.resolve("f" + i));
            Files.createFile(b.resolve("marker"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            WatchKey k;
            do {
                assertTrue(System.nanoTime() < deadline, "the marker's event never came");
                k = ws.poll(1, TimeUnit.SECONDS);
                if (k != null && k != marker) assertSame(full, k);   // held, not polled, until the marker
            } while (k != marker);
            List<String> out = new ArrayList<>();
            for (WatchEvent<?> e : full.pollEvents()) out.add(e.kind().name() + " " + e.context() + " x" + e.count());
            // the key works on after an overflow
            assertTrue(full.reset());
            Files.createFile(a.resolve("after"));
            assertSame(full, ws.poll(20, TimeUnit.SECONDS));
            assertEquals(List.of("ENTRY_CREATE after"),
                    full.pollEvents().stream().map(e -> e.kind().name() + " " + e.context()).toList());
            return out;
        }
    }

    /**
     * The kernel's own queue overflow (IN_Q_OVERFLOW, past {@code fs.inotify.max_queued_events})
     * reaches every key of the service as one OVERFLOW, as the JDK's LinuxWatchService delivers it,
     * here to a key whose directory saw no event at all. The watcher's thread is held off while
     * more events than the queue holds are made, by holding the monitor it dispatches under (no
     * machine-wide limit is lowered); alternate writes to two files make events the kernel cannot
     * merge. Not compared with the default provider, whose watcher thread cannot be held off.
     */
    @Test
    void kernelQueueOverflowReachesEveryKey() throws Exception {
        // one read(2): a sysctl file answers EOF to a read at an offset, which Files.readString makes after one byte
        int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).getFirst().trim());
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        try (WatchService ws = ThreeProviders.uring(dir).getFileSystem().newWatchService();
             FileChannel x = FileChannel.open(a.resolve("x"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel y = FileChannel.open(a.resolve("y"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            WatchKey busy = ThreeProviders.uring(a).register(ws, ENTRY_MODIFY);
            WatchKey quiet = ThreeProviders.uring(b).register(ws, ENTRY_CREATE);
            Field keys = UringWatchService.class.getDeclaredField("keys");
            keys.setAccessible(true);
            synchronized (keys.get(ws)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int i = 0; i < max + 1000; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            WatchKey k;
            do {
                assertTrue(System.nanoTime() < deadline, "no OVERFLOW reached the quiet key");
                k = ws.poll(1, TimeUnit.SECONDS);
                if (k == busy) {
                    busy.pollEvents();
                    busy.reset();
                }
            } while (k != quiet);
            assertEquals(List.of("OVERFLOW null x1"),
                    quiet.pollEvents().stream().map(e -> e.kind().name() + " " + e.context() + " x" + e.count()).toList());
        }
    }

    @Test
    void registrationErrors() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        for (Path p : new Path[] {dir, ThreeProviders.uring(dir)}) {
            Path f = p.resolve("file");
            try (WatchService ws = p.getFileSystem().newWatchService()) {
                assertEquals(message(() -> f.register(ws, ENTRY_CREATE)), message(() -> file.register(FileSystems.getDefault().newWatchService(), ENTRY_CREATE)));
            }
        }
        Path u = ThreeProviders.uring(dir);
        try (WatchService ours = u.getFileSystem().newWatchService(); WatchService theirs = FileSystems.getDefault().newWatchService()) {
            String[][] cases = {
                {message(() -> dir.resolve("missing").register(theirs, ENTRY_CREATE)), message(() -> u.resolve("missing").register(ours, ENTRY_CREATE))},
                {message(() -> dir.register(theirs)), message(() -> u.register(ours))},
                {message(() -> dir.register(theirs, StandardWatchEventKinds.OVERFLOW)), message(() -> u.register(ours, StandardWatchEventKinds.OVERFLOW))},
                {message(() -> dir.register(theirs, new WatchEvent.Kind<?>[] {null})), message(() -> u.register(ours, new WatchEvent.Kind<?>[] {null}))},
                {message(() -> dir.register(theirs, new WatchEvent.Kind<?>[] {ENTRY_CREATE}, () -> "mod")), message(() -> u.register(ours, new WatchEvent.Kind<?>[] {ENTRY_CREATE}, () -> "mod"))},
                {message(() -> dir.register(theirs, new WatchEvent.Kind<?>[] {ENTRY_CREATE}, (WatchEvent.Modifier) null)), message(() -> u.register(ours, new WatchEvent.Kind<?>[] {ENTRY_CREATE}, (WatchEvent.Modifier) null))},
                {message(() -> dir.register(null, ENTRY_CREATE)), message(() -> u.register(null, ENTRY_CREATE))},
            };
            for (String[] c : cases) assertEquals(c[0], c[1]);
            assertThrows(ProviderMismatchException.class, () -> u.register(theirs, ENTRY_CREATE));
        }
    }

    private interface Action { Object run() throws Exception; }

    private static String message(Action a) {
        try {
            return "= " + a.run().getClass().getSimpleName();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replaceAll("/tmp/watch[0-9]*", "<dir>");
        }
    }

    @Test
    void keysAndClose() throws Exception {
        Path u = ThreeProviders.uring(dir);
        WatchService ws = u.getFileSystem().newWatchService();
        WatchKey k1 = u.register(ws, ENTRY_CREATE);
        WatchKey k2 = u.register(ws, ENTRY_DELETE);
        assertSame(k1, k2, "registering again returns the same key");
        assertNull(ws.poll());
        k1.cancel();
        assertFalse(k1.isValid());
        assertFalse(k1.reset());
        WatchKey k3 = u.register(ws, ENTRY_CREATE);
        assertTrue(k3.isValid());
        Thread waiter = Thread.ofVirtual().start(() -> assertThrows(ClosedWatchServiceException.class, ws::take));
        Thread.sleep(100);
        ws.close();
        waiter.join(5000);
        assertFalse(waiter.isAlive());
        assertFalse(k3.isValid());
        ws.close(); // idempotent
        assertThrows(ClosedWatchServiceException.class, ws::poll);
        assertThrows(ClosedWatchServiceException.class, () -> ws.poll(1, TimeUnit.SECONDS));
        assertThrows(ClosedWatchServiceException.class, () -> u.register(ws, ENTRY_CREATE));
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("uringfs-watcher")),
                "poller thread ended");
    }

    @Test
    void deletedDirectoryInvalidatesTheKey() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("gone"));
        try (WatchService ws = ThreeProviders.uring(dir).getFileSystem().newWatchService()) {
            WatchKey key = ThreeProviders.uring(sub).register(ws, ENTRY_CREATE);
            Files.delete(sub);
            WatchKey signalled = ws.poll(20, TimeUnit.SECONDS);
            assertSame(key, signalled);
            assertFalse(key.isValid());
            assertFalse(key.reset());
        }
    }

    @Test
    void eventNamesBelongToTheWatchedDirectorysFileSystem() throws Exception {
        try (var named = FileSystems.newFileSystem(java.net.URI.create("uring://watchtest/"), java.util.Map.of());
             WatchService ws = ThreeProviders.uring(dir).getFileSystem().newWatchService()) {
            Path watched = named.getPath(dir.toString());
            WatchKey key = watched.register(ws, ENTRY_CREATE);
            Files.createFile(dir.resolve("n"));
            assertSame(key, ws.poll(20, TimeUnit.SECONDS));
            WatchEvent<?> e = key.pollEvents().get(0);
            assertEquals(named.getPath("n"), e.context());
            assertSame(named, ((Path) e.context()).getFileSystem());
        }
    }

    @Test
    void noDescriptorOrThreadLeak() throws Exception {
        try (WatchService warmUp = ThreeProviders.uring(dir).getFileSystem().newWatchService()) {
            ThreeProviders.uring(dir).register(warmUp, ENTRY_CREATE); // starts the file system's engine
        }
        List<String> fds = UringDirectoryStreamTest.ownFds(dir);
        for (int i = 0; i < 50; i++) {
            try (WatchService ws = ThreeProviders.uring(dir).getFileSystem().newWatchService()) {
                ThreeProviders.uring(dir).register(ws, ENTRY_CREATE);
            }
        }
        assertEquals(fds, UringDirectoryStreamTest.ownFds(dir));
    }
}
