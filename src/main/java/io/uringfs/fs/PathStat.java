package io.uringfs.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * The file-type lookups the path layer needs ({@code toUri}'s trailing slash, {@code toRealPath}'s
 * link checks): one {@code statx} asking only for the type, through the file system's {@code Io}
 * (on the ring when the kernel has {@code IORING_OP_STATX}).
 *
 * <p>Thread safety: stateless; each call uses its own confined arena, closed after the CQE.
 */
final class PathStat {
    private PathStat() {}

    /** The file's {@code st_mode} type bits, or {@code -errno}. */
    static int type(UringPath p, boolean followLinks) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_STRUCT_SIZE, 8);
            int r = p.getFileSystem().io().statx(AT_FDCWD, p.toCString(arena),
                    followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE, buf);
            return r < 0 ? r : Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE)) & S_IFMT;
        }
    }

    /** Whether {@code p} exists and is a directory after following links; false on any error. */
    static boolean isDirectory(UringPath p) {
        return type(p, true) == S_IFDIR;
    }
}
