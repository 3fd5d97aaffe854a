package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** File stores: uring: against the default provider (jimfs' single in-memory store has nothing to compare). */
class UringFileStoreTest {
    private static final List<Class<? extends FileAttributeView>> VIEWS = List.of(BasicFileAttributeView.class,
            PosixFileAttributeView.class, FileOwnerAttributeView.class, DosFileAttributeView.class,
            UserDefinedFileAttributeView.class, AclFileAttributeView.class);
    private static final List<String> VIEW_NAMES = List.of("basic", "posix", "unix", "owner", "dos", "user", "acl", "jrt", "");

    /** Everything but the free-space figures, which other processes change between two reads. */
    private static String describe(FileStore s) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(s.name()).append('|').append(s.type()).append('|').append(s.isReadOnly()).append('|')
          .append(s.toString()).append('|').append(s.getBlockSize()).append('|').append(s.getTotalSpace());
        for (Class<? extends FileAttributeView> v : VIEWS) sb.append('|').append(v.getSimpleName()).append('=').append(s.supportsFileAttributeView(v));
        for (String v : VIEW_NAMES) sb.append('|').append(v).append('=').append(s.supportsFileAttributeView(v));
        return sb.toString();
    }

    @Test
    void storeOfAFileMatchesTheDefaultProvider() throws IOException {
        Path dir = Files.createTempDirectory("store");
        try {
            Path file = Files.writeString(dir.resolve("f"), "x");
            for (Path p : new Path[] {dir, file, Path.of("/"), Path.of("/proc/self"), Path.of("/dev/shm"), Path.of("/sys/fs/cgroup"), Path.of("")}) {
                if (!Files.exists(p)) continue;
                FileStore expected = Files.getFileStore(p);
                FileStore actual = Files.getFileStore(ThreeProviders.uring(p));
                assertEquals(describe(expected), describe(actual), p.toString());
            }
        } finally {
            Files.delete(dir.resolve("f"));
            Files.delete(dir);
        }
    }

    @Test
    void spaceFiguresAndAttributes() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        FileStore expected = Files.getFileStore(tmp);
        FileStore actual = Files.getFileStore(ThreeProviders.uring(tmp));
        long slack = 64L << 20; // free space moves while tests run
        assertEquals(expected.getTotalSpace(), actual.getTotalSpace());
        assertEquals(expected.getUsableSpace(), actual.getUsableSpace(), slack);
        assertEquals(expected.getUnallocatedSpace(), actual.getUnallocatedSpace(), slack);
        assertEquals(expected.getTotalSpace(), actual.getAttribute("totalSpace"));
        assertEquals((long) expected.getAttribute("usableSpace"), (long) actual.getAttribute("usableSpace"), slack);
        assertEquals((long) expected.getAttribute("unallocatedSpace"), (long) actual.getAttribute("unallocatedSpace"), slack);
        assertTrue(actual.getTotalSpace() > 0 && actual.getUsableSpace() <= actual.getUnallocatedSpace());
        UnsupportedOperationException e1 = assertThrows(UnsupportedOperationException.class, () -> expected.getAttribute("bogus"));
        UnsupportedOperationException e2 = assertThrows(UnsupportedOperationException.class, () -> actual.getAttribute("bogus"));
        assertEquals(e1.getMessage(), e2.getMessage());
        assertNull(actual.getFileStoreAttributeView(FileStoreAttributeView.class));
        assertThrows(NullPointerException.class, () -> actual.getFileStoreAttributeView(null));
        assertThrows(NullPointerException.class, () -> actual.supportsFileAttributeView((Class<? extends FileAttributeView>) null));
    }

    @Test
    void identity() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        FileStore a = Files.getFileStore(ThreeProviders.uring(tmp));
        FileStore b = Files.getFileStore(ThreeProviders.uring(Path.of("/")));
        FileStore proc = Files.getFileStore(ThreeProviders.uring(Path.of("/proc")));
        assertEquals(Files.getFileStore(tmp).equals(Files.getFileStore(Path.of("/"))), a.equals(b));
        if (a.equals(b)) assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, proc);
        assertFalse(a.equals(Files.getFileStore(tmp)), "stores of different providers are never equal");
    }

    @Test
    void missingFile() {
        Path missing = Path.of("/no/such/file");
        NoSuchFileException e1 = assertThrows(NoSuchFileException.class, () -> Files.getFileStore(missing));
        NoSuchFileException e2 = assertThrows(NoSuchFileException.class, () -> Files.getFileStore(ThreeProviders.uring(missing)));
        assertEquals(e1.getMessage(), e2.getMessage());
    }

    @Test
    void getFileStoresMatchesTheDefaultProvider() throws IOException {
        List<String> expected = new ArrayList<>();
        for (FileStore s : FileSystems.getDefault().getFileStores()) expected.add(s.toString() + "|" + s.type() + "|" + s.isReadOnly());
        List<String> actual = new ArrayList<>();
        for (FileStore s : ThreeProviders.uring(Path.of("/")).getFileSystem().getFileStores()) {
            actual.add(s.toString() + "|" + s.type() + "|" + s.isReadOnly());
        }
        assertEquals(expected, actual);
        assertFalse(actual.isEmpty());
    }
}
