package io.uringfs.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Drops a file's pages from the page cache with {@code posix_fadvise(POSIX_FADV_DONTNEED)}, which
 * needs no privileges (unlike {@code /proc/sys/vm/drop_caches}). Only clean pages are dropped, so
 * callers sync what they wrote first. The benchmarks' own FFM binding keeps them independent of
 * the library's internals.
 */
public final class PageCache {
    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("open"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle FADVISE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("posix_fadvise"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle SYNCFS = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("syncfs"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private PageCache() {
    }

    /** Evicts every clean cached page of {@code file}. */
    public static void drop(Path file) {
        drop(file, 0, 0);
    }

    /** Evicts the clean cached pages of {@code length} bytes of {@code file} from {@code offset}; a length of 0 means to its end. */
    public static void drop(Path file, long offset, long length) {
        withFd(file, fd -> (int) FADVISE.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED), "posix_fadvise(DONTNEED)");
    }

    /** Writes back every dirty page of the file system holding {@code file} (one call for many files). */
    public static void syncFileSystem(Path file) {
        withFd(file, fd -> (int) SYNCFS.invokeExact(fd) == 0 ? 0 : -1, "syncfs");
    }

    private interface FdCall {
        int apply(int fd) throws Throwable;
    }

    private static void withFd(Path file, FdCall call, String what) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toAbsolutePath().toString()), O_RDONLY);
            if (fd < 0) throw new IllegalStateException("open failed: " + file);
            try {
                int r = call.apply(fd);
                if (r != 0) throw new IllegalStateException(what + " failed (" + r + "): " + file);
            } finally {
                int unused = (int) CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
