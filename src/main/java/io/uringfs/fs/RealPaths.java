package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.LinkOption;
import java.util.Objects;

/**
 * {@link UringPath#toRealPath} with UnixPath's algorithm and results.
 *
 * <p>Following links, the path is handed to the C library's {@code realpath(3)}, exactly as the
 * JDK does: its component-by-component readlink walk has no io_uring opcode, and calling the same
 * function guarantees the same answer and the same errno in every corner (loops, dangling links,
 * {@code ENOTDIR}, {@code ENAMETOOLONG}). Without following links, {@code .} is dropped and
 * {@code ..} cancels the previous name unless that name is a symbolic link (or itself follows a
 * kept {@code ..}); the result must exist (lstat via {@code statx}).
 *
 * <p>Thread safety: stateless.
 */
final class RealPaths {
    private RealPaths() {}

    /** PATH_MAX plus the terminating NUL: the buffer realpath(3) writes into. */
    private static final int RESOLVED_SIZE = 4097;

    static UringPath toRealPath(UringPath path, LinkOption... options) throws IOException {
        boolean follow = followLinks(options);
        UringFileSystem fs = path.getFileSystem();
        UringPath absolute = path.toAbsolutePath();
        if (follow) {
            fs.io();   // ClosedFileSystemException once closed, like every other access
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment resolved = arena.allocate(RESOLVED_SIZE);
                int r = Syscalls.realpath(absolute.toCString(arena), resolved);
                if (r < 0) throw Errno.toException(-r, path.pathForMessage());
                int len = 0;
                while (resolved.get(ValueLayout.JAVA_BYTE, len) != 0) len++;
                return new UringPath(fs, resolved.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        UringPath result = fs.rootDirectory();
        boolean afterKeptDotDot = false;
        for (int i = 0; i < absolute.getNameCount(); i++) {
            UringPath element = absolute.getName(i);
            String name = element.toString();
            if (name.equals(".")) continue;
            if (name.equals("..")) {
                int type = PathStat.type(result, false);
                if (type < 0) throw Errno.toException(-type, result.pathForMessage());
                if (type != LinuxAbi.S_IFLNK && !afterKeptDotDot) {
                    UringPath parent = result.getParent();
                    result = parent == null ? fs.rootDirectory() : parent;
                    continue;
                }
                afterKeptDotDot = true;
            } else {
                afterKeptDotDot = false;
            }
            result = result.resolve(element);
        }
        int type = PathStat.type(result, false);
        if (type < 0) throw Errno.toException(-type, result.pathForMessage());
        return result;
    }

    /** Util.followLinks: NOFOLLOW_LINKS turns following off; null elements are an NPE. */
    static boolean followLinks(LinkOption... options) {
        boolean follow = true;
        for (LinkOption o : options) {
            if (Objects.requireNonNull(o) == LinkOption.NOFOLLOW_LINKS) follow = false;
        }
        return follow;
    }
}
