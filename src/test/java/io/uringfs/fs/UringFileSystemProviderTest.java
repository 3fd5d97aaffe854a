package io.uringfs.fs;

import io.uringfs.engine.UringUnavailableException;
import io.uringfs.ring.RingSetupException;
import io.uringfs.engine.EngineConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider's registry of file systems, their configuration and fallback policies. */
class UringFileSystemProviderTest {
    static final URI DEFAULT = URI.create("uring:///");

    static UringFileSystemProvider provider() {
        return (UringFileSystemProvider) FileSystems.getFileSystem(DEFAULT).provider();
    }

    /** A ring factory failing like a seccomp filter refusing io_uring_setup. */
    static final EngineConfig.RingFactory REFUSED = (sq, cq) -> {
        throw new RingSetupException("io_uring_setup", 1);
    };

    @Test
    void installedWithTheUringScheme() {
        UringFileSystemProvider installed = null;
        for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
            if (p.getScheme().equals("uring")) installed = (UringFileSystemProvider) p;
        }
        assertNotNull(installed);
        assertSame(installed, provider());
    }

    @Test
    void defaultFileSystemExistsWithoutNewFileSystem() throws IOException {
        FileSystem fs = FileSystems.getFileSystem(DEFAULT);
        assertSame(fs, FileSystems.getFileSystem(URI.create("URING:///")));
        assertSame(fs, Path.of(URI.create("uring:///a")).getFileSystem());
        assertSame(fs, Path.of(URI.create("uring:/a")).getFileSystem());
        assertTrue(fs.isOpen());
        assertFalse(fs.isReadOnly());
        assertEquals("/", fs.getSeparator());
        assertEquals(List.of(fs.getPath("/")), toList(fs.getRootDirectories()));
        assertEquals(FileSystems.getDefault().supportedFileAttributeViews(), fs.supportedFileAttributeViews());
        assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(DEFAULT, Map.of()));
        assertThrows(UnsupportedOperationException.class, fs::close);
        assertTrue(fs.isOpen());
        UringFileSystem ufs = (UringFileSystem) fs;
        assertNull(ufs.name());
        assertEquals(ufs.usesRing(), ufs.fallbackReason() == null);
        assertEquals(ufs.usesRing(), ufs.engine() != null);
    }

    @Test
    void defaultFileSystemUsesTheRingOnThisMachine() {
        UringFileSystem fs = (UringFileSystem) FileSystems.getFileSystem(DEFAULT);
        assertTrue(fs.usesRing(), fs.fallbackReason());
        assertSame(fs.engine(), fs.io().engine());
    }

    @Test
    void newFileSystemCreatesANamedOneWithItsOwnRing() throws IOException {
        URI uri = URI.create("uring://named1/");
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("sqEntries", 8))) {
            UringFileSystem u = (UringFileSystem) fs;
            assertEquals("named1", u.name());
            assertTrue(u.usesRing(), u.fallbackReason());
            assertFalse(u.engine() == ((UringFileSystem) FileSystems.getFileSystem(DEFAULT)).engine());
            assertSame(fs, FileSystems.getFileSystem(uri));
            assertSame(fs, FileSystems.getFileSystem(URI.create("uring://named1")));
            assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(uri, Map.of()));
            Path p = fs.getPath("/tmp/x y");
            assertEquals(URI.create("uring://named1/tmp/x%20y"), p.toUri());
            assertEquals(URI.create("uring://named1/tmp/"), fs.getPath("/tmp").toUri());
            assertEquals(p, Path.of(p.toUri()));
            assertSame(fs, Path.of(p.toUri()).getFileSystem());
            // paths of two file systems are never equal, and do not mix with other providers
            Path q = FileSystems.getFileSystem(DEFAULT).getPath("/tmp/x y");
            assertFalse(p.equals(q));
            assertThrows(ProviderMismatchException.class, () -> p.resolve(Path.of("a")));
            assertThrows(ProviderMismatchException.class, () -> p.relativize(Path.of("/a")));
            assertFalse(p.startsWith(Path.of("/tmp")));
            assertFalse(p.endsWith(Path.of("x y")));
            assertThrows(ProviderMismatchException.class, () -> Path.of("/a").resolve(p));
            // only the default file system's paths have a java.io.File
            assertThrows(UnsupportedOperationException.class, p::toFile);
            assertThrows(UnsupportedOperationException.class, q::toFile);
        }
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri));
        assertEquals("URI has an authority component",
                assertThrows(IllegalArgumentException.class, () -> Path.of(URI.create("uring://named1/a"))).getMessage());
        // the name is free again
        FileSystems.newFileSystem(uri, Map.of()).close();
    }

    @Test
    void closeIsIdempotentAndLaterAccessIsRefused() throws IOException {
        UringFileSystem fs = (UringFileSystem) FileSystems.newFileSystem(URI.create("uring://closing/"), Map.of());
        Path dir = fs.getPath("/tmp");
        fs.close();
        fs.close();
        assertFalse(fs.isOpen());
        assertTrue(fs.engine().isClosed());
        assertThrows(ClosedFileSystemException.class, fs::io);
        assertThrows(ClosedFileSystemException.class, dir::toRealPath);
        assertThrows(ClosedFileSystemException.class, dir::toUri);
        assertEquals("/tmp/a", dir.resolve("a").toString());   // path algebra needs no I/O
    }

    @Test
    void badFileSystemUris() {
        assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("uring:///a"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("uring://x/a"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("uring://x/?q"), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(URI.create("uring://bad-option/"), Map.of("sqEntries", "many")));
        assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(URI.create("uring://bad-option/"), Map.of("nosuch", "1")));
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(URI.create("uring://absent/")));
        assertThrows(IllegalArgumentException.class, () -> provider().getFileSystem(URI.create("file:///")));
    }

    @Test
    void fallbackNeverRingUsesPlainSystemCallsSilently() throws IOException {
        List<LogRecord> logged = capture(() -> {
            try (UringFileSystem fs = (UringFileSystem) FileSystems.newFileSystem(
                    URI.create("uring://never/"), Map.of("fallback", "never-ring"))) {
                assertFalse(fs.usesRing());
                assertNull(fs.engine());
                assertNull(fs.io().engine());
                assertTrue(fs.fallbackReason().contains("never-ring"), fs.fallbackReason());
                assertWorks(fs);
            }
        });
        assertEquals(List.of(), logged);
    }

    @Test
    void fallbackAutoLogsTheReasonOnceAndWorksOnPlainSystemCalls() throws IOException {
        String reason = new UringUnavailableReason().get();
        List<LogRecord> logged = capture(() -> {
            try (UringFileSystem fs = (UringFileSystem) FileSystems.newFileSystem(
                    URI.create("uring://auto/"), Map.of("ringFactory", REFUSED))) {
                assertFalse(fs.usesRing());
                assertNull(fs.engine());
                assertEquals(reason, fs.fallbackReason());
                assertWorks(fs);
                assertWorks(fs);
            }
        });
        assertEquals(1, logged.size(), logged.toString());
        assertEquals(Level.WARNING, logged.get(0).getLevel());
        String message = java.text.MessageFormat.format(logged.get(0).getMessage(), logged.get(0).getParameters());
        assertTrue(message.contains(reason), message);
        assertTrue(message.contains("uring://auto/"), message);
    }

    @Test
    void fallbackFailThrowsTheReason() {
        String reason = new UringUnavailableReason().get();
        UringUnavailableException e = assertThrows(UringUnavailableException.class, () -> FileSystems.newFileSystem(
                URI.create("uring://fail/"), Map.of("ringFactory", REFUSED, "fallback", "fail")));
        assertEquals(reason, e.getMessage());
        assertTrue(e.getMessage().contains("io_uring_setup failed"), e.getMessage());
        assertInstanceOf(RingSetupException.class, e.getCause());
        // nothing was registered
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(URI.create("uring://fail/")));
    }

    @Test
    void newFileSystemConfiguresTheDefaultOneIfItDoesNotExistYet() throws IOException {
        UringFileSystemProvider fresh = new UringFileSystemProvider();
        UringFileSystem fs = fresh.newFileSystem(DEFAULT, Map.of("fallback", "never-ring"));
        assertNull(fs.name());
        assertFalse(fs.usesRing());
        assertSame(fs, fresh.getFileSystem(DEFAULT));
        assertSame(fs, fresh.getPath(URI.create("uring:///x")).getFileSystem());
        assertThrows(FileSystemAlreadyExistsException.class, () -> fresh.newFileSystem(DEFAULT, Map.of()));
    }

    /**
     * The default file system is configured from system properties; with policy fail and no usable
     * ring (here: a required opcode disabled), its first use throws UncheckedIOException carrying
     * the reason, and a later use tries again.
     */
    @Test
    void defaultFileSystemWithPolicyFailThrowsUncheckedOnFirstUse() throws IOException {
        System.setProperty("uringfs.disabledOps", "0");   // IORING_OP_NOP, which the engine requires
        System.setProperty("uringfs.fallback", "fail");
        UringFileSystemProvider fresh = new UringFileSystemProvider();
        try {
            var e = assertThrows(java.io.UncheckedIOException.class, () -> fresh.getPath(URI.create("uring:///x")));
            assertInstanceOf(UringUnavailableException.class, e.getCause());
            assertTrue(e.getMessage().contains("NOP"), e.getMessage());
            assertThrows(java.io.UncheckedIOException.class, () -> fresh.getFileSystem(DEFAULT));
            System.setProperty("uringfs.fallback", "auto");
            List<LogRecord> logged = capture(() -> {
                UringFileSystem fs = (UringFileSystem) fresh.getFileSystem(DEFAULT);
                assertFalse(fs.usesRing());
                assertTrue(fs.fallbackReason().contains("NOP"), fs.fallbackReason());
                assertWorks(fs);
                assertSame(fs, fresh.getFileSystem(DEFAULT));
            });
            assertEquals(1, logged.size());
        } finally {
            System.clearProperty("uringfs.disabledOps");
            System.clearProperty("uringfs.fallback");
        }
    }

    /** The reason the engine gives for {@link #REFUSED}. */
    static final class UringUnavailableReason {
        String get() {
            try {
                io.uringfs.engine.Engine.start(EngineConfig.defaults().withRingFactory(REFUSED)).close();
                throw new AssertionError("the refusing factory made a ring");
            } catch (UringUnavailableException e) {
                return e.getMessage();
            }
        }
    }

    /** Operations that need the file system's Io work. */
    static void assertWorks(UringFileSystem fs) throws IOException {
        assertEquals(URI.create(PathOps.prefixOf(fs) + "tmp/"), fs.getPath("/tmp").toUri());
        assertEquals(Path.of("/tmp").toRealPath().toString(), fs.getPath("/tmp/.").toRealPath().toString());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> fs.getPath("/no/such/file").toRealPath());
    }

    interface IoAction {
        void run() throws IOException;
    }

    static List<LogRecord> capture(IoAction action) throws IOException {
        Logger logger = Logger.getLogger("io.uringfs");
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { synchronized (records) { records.add(r); } }
            @Override public void flush() {}
            @Override public void close() {}
        };
        logger.addHandler(h);
        try {
            action.run();
        } finally {
            logger.removeHandler(h);
        }
        return records;
    }

    static <T> List<T> toList(Iterable<T> it) {
        List<T> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }
}
