package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.ProviderMismatchException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static io.uringfs.ring.LinuxAbi.*;

/**
 * The attribute views of a {@link UringDirectoryStream}: of the directory itself (no path) or of a
 * file relative to it, working on the stream's descriptor like the JDK's
 * {@code UnixSecureDirectoryStream} views: attributes with {@code statx(dfd, name)}, changes
 * through a descriptor opened with {@code openat(dfd, name, O_RDONLY[|O_NOFOLLOW])} and
 * {@code fchmod}/{@code fchown}/{@code futimens}, so that they cannot be redirected by a rename
 * of the directory. As the JDK's, {@code basic} and {@code posix} are offered, and
 * {@code FileOwnerAttributeView} is answered with the posix view.
 *
 * <p>Thread safety: views are immutable; every operation holds the stream's descriptor open.
 */
final class SecureDirectoryViews {
    private SecureDirectoryViews() {}

    @SuppressWarnings("unchecked")
    static <V extends FileAttributeView> V of(UringDirectoryStream ds, UringPath file, Class<V> type, boolean followLinks) {
        Objects.requireNonNull(type);
        if (type == BasicFileAttributeView.class) return (V) new Basic(ds, file, followLinks);
        if (type == PosixFileAttributeView.class || type == FileOwnerAttributeView.class) {
            return (V) new Posix(ds, file, followLinks);
        }
        return null;
    }

    static class Basic implements BasicFileAttributeView {
        final UringDirectoryStream ds;
        final UringPath file;   // null: the directory itself
        final boolean followLinks;

        Basic(UringDirectoryStream ds, UringPath file, boolean followLinks) {
            this.ds = ds;
            this.file = file;
            this.followLinks = followLinks;
        }

        @Override
        public String name() {
            return "basic";
        }

        final String display() {
            return file == null ? null : file.pathForMessage();
        }

        final Io io() {
            return ds.io();
        }

        /** statx of the file; call with the descriptor held. */
        final UringFileAttributes stat(Arena arena) throws IOException {
            try {
                return file == null ? UringFileAttributes.get(io(), ds.descriptor())
                        : Statx.stat(io(), ds.descriptor(), UringDirectoryStream.relativeCString(file, arena),
                                followLinks ? 0 : AT_SYMLINK_NOFOLLOW);
            } catch (ErrnoException x) {
                throw Errno.toException(x.errno(), display());
            }
        }

        @Override
        public BasicFileAttributes readAttributes() throws IOException {
            return ds.withDescriptor(arena -> stat(arena).asBasic());
        }

        /** Runs {@code op} on a descriptor of the file (the directory's own for the directory). */
        final void withFile(FdOp op) throws IOException {
            ds.withDescriptor(arena -> {
                int fd = ds.descriptor();
                if (file != null) {
                    fd = io().openat(ds.descriptor(), UringDirectoryStream.relativeCString(file, arena),
                            O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW), 0);
                    if (fd < 0) throw Errno.toException(-fd, display());
                }
                try {
                    int r = op.run(fd, arena);
                    if (r < 0) throw Errno.toException(-r, display());
                } finally {
                    if (file != null) io().close(fd);
                }
                return null;
            });
        }

        @FunctionalInterface
        interface FdOp {
            int run(int fd, Arena arena) throws IOException;
        }

        @Override
        public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
            withFile((fd, arena) -> {
                FileTime mod = lastModifiedTime, access = lastAccessTime;
                if (mod == null || access == null) {
                    UringFileAttributes attrs;
                    try {
                        attrs = UringFileAttributes.get(io(), fd);
                    } catch (ErrnoException x) {
                        throw Errno.toException(x.errno(), display());
                    }
                    if (mod == null) mod = attrs.lastModifiedTime();
                    if (access == null) access = attrs.lastAccessTime();
                }
                long a = access.to(TimeUnit.NANOSECONDS), m = mod.to(TimeUnit.NANOSECONDS);
                MemorySegment times = arena.allocate(32, 8);
                // C division, as the JDK's native code converts nanoseconds to a timespec
                times.set(JAVA_LONG, 0, a / 1_000_000_000L);
                times.set(JAVA_LONG, 8, a % 1_000_000_000L);
                times.set(JAVA_LONG, 16, m / 1_000_000_000L);
                times.set(JAVA_LONG, 24, m % 1_000_000_000L);
                return io().futimens(fd, times);
            });
        }
    }

    static final class Posix extends Basic implements PosixFileAttributeView {
        Posix(UringDirectoryStream ds, UringPath file, boolean followLinks) {
            super(ds, file, followLinks);
        }

        @Override
        public String name() {
            return "posix";
        }

        @Override
        public PosixFileAttributes readAttributes() throws IOException {
            return ds.withDescriptor(this::stat);
        }

        @Override
        public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
            int mode = FileModes.toMode(perms);
            withFile((fd, arena) -> io().fchmod(fd, mode));
        }

        @Override
        public UserPrincipal getOwner() throws IOException {
            return readAttributes().owner();
        }

        @Override
        public void setOwner(UserPrincipal owner) throws IOException {
            if (owner == null) throw new NullPointerException("'owner' is null");
            if (!(owner instanceof UringUserPrincipals.User user)) throw new ProviderMismatchException();
            if (owner instanceof UringUserPrincipals.Group) throw new IOException("'owner' parameter can't be a group");
            withFile((fd, arena) -> io().fchown(fd, user.id(), -1));
        }

        @Override
        public void setGroup(GroupPrincipal group) throws IOException {
            if (group == null) throw new NullPointerException("'owner' is null");
            if (!(group instanceof UringUserPrincipals.Group g)) throw new ProviderMismatchException();
            withFile((fd, arena) -> io().fchown(fd, -1, g.id()));
        }
    }
}
