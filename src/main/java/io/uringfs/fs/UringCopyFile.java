package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.TimeUnit;

import static io.uringfs.ring.LinuxAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code copy} and {@code move} for uring paths, with the JDK's {@code UnixFileSystem} semantics:
 * option parsing and its exceptions, "same file" short cut, REPLACE_EXISTING deleting the target
 * first (a non-empty directory: {@code DirectoryNotEmptyException}), directories copied without
 * their entries, links copied as links with NOFOLLOW_LINKS, COPY_ATTRIBUTES (and every move) carrying
 * owner, permissions, extended attributes and nanosecond times, rollback of a half-made target,
 * ATOMIC_MOVE as one rename ({@code AtomicMoveNotSupportedException} on EXDEV) and a move across
 * file systems as copy + delete (a non-empty directory then cannot be moved).
 *
 * <p>File contents move with copy_file_range(2) (in-kernel; reflinks where the file system can),
 * falling back, where the kernel refuses it for the pair of files, to reads and writes through the
 * ring with one native buffer.
 *
 * <p>When the target belongs to another provider, the provider delegates here too:
 * {@link #copyToForeignTarget} does what {@code Files.copy} does for two providers (stream copy,
 * basic and POSIX attributes), so {@code provider.copy(uringPath, otherPath)} works as well.
 *
 * <p>{@code com.sun.nio.file.ExtendedCopyOption.INTERRUPTIBLE} is taken by {@code copy} (not by
 * {@code move}, nor for another provider's target) and only matters for a regular file, as in the
 * JDK. The JDK copies on a helper thread that polls a cancel flag its caller sets when
 * interrupted; here the copying thread is the caller and polls its own interrupt status, at the
 * same points: after every {@code copy_file_range} call (of at most 1 MiB then, as the JDK's) and
 * after every buffer read that returned data. An interrupted copy fails with ECANCELED
 * ({@code FileSystemException} "source -> target: Operation canceled"), the partial target is
 * deleted and the interrupt status stays set; a copy that ends before a check completes
 * normally. An empty source is never cancelled (nothing is read). Differences: the JDK 25's
 * reason text for ECANCELED is whatever its helper thread's stale {@code errno} says (e.g.
 * "Invalid argument"), and a small copy started already interrupted sometimes finishes there
 * before its helper sees the cancel request; here it is always cancelled at the first check.
 *
 * <p>Thread safety: stateless.
 */
final class UringCopyFile {
    private UringCopyFile() {}

    private static final int BUFFER_SIZE = 128 * 1024;
    /** Per copy_file_range call; bounded so that the call, which cannot be cancelled, stays short. */
    private static final long CHUNK = 1L << 30;
    /** Per copy_file_range call of an INTERRUPTIBLE copy, between interrupt checks (the JDK's figure). */
    private static final long INTERRUPTIBLE_CHUNK = 1L << 20;

    /** What to do, from the options. */
    private static final class Flags {
        boolean replaceExisting, atomicMove, followLinks, interruptible;
        boolean copyBasicAttributes, copyPosixAttributes, copyNonPosixAttributes;

        static Flags fromCopyOptions(CopyOption... options) {
            Flags flags = new Flags();
            flags.followLinks = true;
            for (CopyOption option : options) {
                if (option == StandardCopyOption.REPLACE_EXISTING) {
                    flags.replaceExisting = true;
                } else if (option == LinkOption.NOFOLLOW_LINKS) {
                    flags.followLinks = false;
                } else if (option == StandardCopyOption.COPY_ATTRIBUTES) {
                    flags.copyBasicAttributes = flags.copyPosixAttributes = flags.copyNonPosixAttributes = true;
                } else if (isInterruptible(option)) {
                    flags.interruptible = true;
                } else if (option == null) {
                    throw new NullPointerException();
                } else {
                    throw new UnsupportedOperationException("Unsupported copy option: " + option);
                }
            }
            return flags;
        }

        static Flags fromMoveOptions(CopyOption... options) {
            Flags flags = new Flags();
            for (CopyOption option : options) {
                if (option == StandardCopyOption.ATOMIC_MOVE) {
                    flags.atomicMove = true;
                } else if (option == StandardCopyOption.REPLACE_EXISTING) {
                    flags.replaceExisting = true;
                } else if (option == LinkOption.NOFOLLOW_LINKS) {
                    // a move never follows links
                } else if (option == null) {
                    throw new NullPointerException();
                } else {
                    throw new UnsupportedOperationException("Unsupported option: " + option);
                }
            }
            // all attributes travel; only failing to set the times fails the move
            flags.copyBasicAttributes = flags.copyPosixAttributes = flags.copyNonPosixAttributes = true;
            return flags;
        }
    }

    /**
     * Whether {@code option} is {@code com.sun.nio.file.ExtendedCopyOption.INTERRUPTIBLE}, recognized
     * by name so that this module need not read {@code jdk.unsupported}.
     */
    private static boolean isInterruptible(CopyOption option) {
        return option instanceof Enum<?> e && e.name().equals("INTERRUPTIBLE")
                && e.getDeclaringClass().getName().equals("com.sun.nio.file.ExtendedCopyOption");
    }

    private static Io io(UringPath p) {
        return p.getFileSystem().io();
    }

    /**
     * Whether {@code target} belongs to {@code source}'s provider. A target of any other provider,
     * the other uringfs provider's included ({@code file:} front end vs {@code uring:}), is copied
     * as {@code Files.copy} copies between two providers.
     */
    private static boolean sameProvider(UringPath source, Path target) {
        return target instanceof UringPath t && t.getFileSystem().provider() == source.getFileSystem().provider();
    }

    // ---- copy ----

    static void copy(Path source, Path target, CopyOption... options) throws IOException {
        UringPath src = UringPath.toUringPath(source);
        if (target != null && !sameProvider(src, target)) {
            copyToForeignTarget(source, target, options);
            return;
        }
        UringPath dst = UringPath.toUringPath(target);
        Flags flags = Flags.fromCopyOptions(options);

        UringFileAttributes sourceAttrs;
        try {
            sourceAttrs = UringFileAttributes.get(src, flags.followLinks);
        } catch (ErrnoException x) {
            throw asNoSuchFile(x).toIOException(src);
        }
        // access(2) follows links, so it is skipped for a link that is copied as a link
        if (!sourceAttrs.isSymbolicLink() || flags.followLinks) {
            int errno = FileOperations.access(src, R_OK);
            if (errno != 0) throw Errno.toException(errno, src.pathForMessage(), null);
        }
        if (prepareTarget(sourceAttrs, dst, flags)) return;

        if (sourceAttrs.isDirectory()) {
            copyDirectory(src, sourceAttrs, dst, flags);
        } else if (sourceAttrs.isSymbolicLink()) {
            copyLink(src, sourceAttrs, dst, flags);
        } else {
            copyFile(src, sourceAttrs, dst, flags);
        }
    }

    /** ENOTDIR for the source (a parent is a file) reads as "no such file", as in the JDK. */
    private static ErrnoException asNoSuchFile(ErrnoException x) {
        return x.errno() == Errno.ENOTDIR ? new ErrnoException(Errno.ENOENT) : x;
    }

    /**
     * Handles an existing target: true if it is the source itself (nothing to do); otherwise
     * FileAlreadyExistsException, or with REPLACE_EXISTING its removal.
     */
    private static boolean prepareTarget(UringFileAttributes sourceAttrs, UringPath target, Flags flags)
            throws IOException {
        UringFileAttributes targetAttrs;
        try {
            targetAttrs = UringFileAttributes.get(target, false);
        } catch (ErrnoException x) {
            return false;
        }
        if (sourceAttrs.isSameFile(targetAttrs)) return true;
        if (!flags.replaceExisting) throw new FileAlreadyExistsException(target.pathForMessage());
        try {
            FileOperations.unlink(target, targetAttrs.isDirectory());
        } catch (ErrnoException x) {
            if (targetAttrs.isDirectory() && (x.errno() == Errno.EEXIST || x.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(target.pathForMessage());
            }
            // gone meanwhile: fine
            if (x.errno() != Errno.ENOENT) throw x.toIOException(target);
        }
        return false;
    }

    /** The target's creation failed with EEXIST although it was just deleted: someone raced us. */
    private static IOException creationFailed(ErrnoException x, UringPath target, Flags flags) {
        if (x.errno() == Errno.EEXIST && flags.replaceExisting) return new FileSystemException(target.toString());
        return x.toIOException(target);
    }

    private static void copyDirectory(UringPath source, UringFileAttributes attrs, UringPath target, Flags flags)
            throws IOException {
        Io io = io(target);
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io.mkdirat(AT_FDCWD, target.toCString(arena), attrs.mode() & 07777));
        } catch (ErrnoException x) {
            throw creationFailed(x, target, flags);
        }
        if (!flags.copyBasicAttributes && !flags.copyPosixAttributes && !flags.copyNonPosixAttributes) return;

        // can fail for a directory we may not read; then attributes are set through the path
        int dfd = -1;
        try {
            dfd = UringFileAttributeViews.openForAttributeAccess(target, true);
        } catch (ErrnoException ignore) {
            // path-based fallbacks below
        }
        boolean done = false;
        try (Arena arena = Arena.ofConfined()) {
            if (flags.copyPosixAttributes) {
                // failing to set owner or permissions does not fail the copy (as in the JDK)
                if (dfd >= 0) {
                    io.fchown(dfd, attrs.uid(), attrs.gid());
                    io.fchmod(dfd, attrs.mode() & 07777);
                } else {
                    MemorySegment t = target.toCString(arena);
                    io.fchownat(AT_FDCWD, t, attrs.uid(), attrs.gid(), 0);
                    io.fchmodat(AT_FDCWD, t, attrs.mode() & 07777, 0);
                }
            }
            if (flags.copyNonPosixAttributes && dfd >= 0) {
                int sfd = -1;
                try {
                    sfd = UringFileAttributeViews.openForAttributeAccess(source, true);
                } catch (ErrnoException ignore) {
                    // extended attributes are best effort
                }
                if (sfd >= 0) {
                    UringUserDefinedFileAttributeView.copyAll(io, sfd, dfd);
                    io.close(sfd);
                }
            }
            if (flags.copyBasicAttributes) {
                int r = setTimes(io, dfd, dfd >= 0 ? null : target.toCString(arena), attrs);
                if (r < 0) throw Errno.toException(-r, target.pathForMessage(), null);
            }
            done = true;
        } finally {
            UringFileAttributeViews.closeQuietly(io, dfd);
            if (!done) rollback(target, true);
        }
    }

    /** futimens (fd >= 0) or utimensat with the source's access and modification times. */
    private static int setTimes(Io io, int fd, MemorySegment path, UringFileAttributes attrs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment times = arena.allocate(32, 8);
            long access = attrs.lastAccessTime().to(TimeUnit.NANOSECONDS);
            long mod = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            times.set(JAVA_LONG, 0, access / 1_000_000_000L);
            times.set(JAVA_LONG, 8, access % 1_000_000_000L);
            times.set(JAVA_LONG, 16, mod / 1_000_000_000L);
            times.set(JAVA_LONG, 24, mod % 1_000_000_000L);
            return fd >= 0 ? io.futimens(fd, times) : io.utimensat(AT_FDCWD, path, times, 0);
        }
    }

    private static void rollback(UringPath target, boolean directory) {
        try {
            FileOperations.unlink(target, directory);
        } catch (ErrnoException ignore) {
            // the original failure is what the caller reports
        }
    }

    private static void copyFile(UringPath source, UringFileAttributes attrs, UringPath target, Flags flags)
            throws IOException {
        Io io = io(source);
        int fi;
        try (Arena arena = Arena.ofConfined()) {
            fi = ErrnoException.check(io.openat(AT_FDCWD, source.toCString(arena), O_RDONLY | O_CLOEXEC, 0));
        } catch (ErrnoException x) {
            throw x.toIOException(source);
        }
        try {
            int fo;
            try (Arena arena = Arena.ofConfined()) {
                fo = ErrnoException.check(io.openat(AT_FDCWD, target.toCString(arena),
                        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, attrs.mode() & 07777));
            } catch (ErrnoException x) {
                throw creationFailed(x, target, flags);
            }
            boolean complete = false;
            try {
                try {
                    transfer(io, fi, fo, attrs.size(), flags.interruptible);
                } catch (ErrnoException x) {
                    throw x.toIOException(source, target);
                }
                if (flags.copyPosixAttributes) {
                    io.fchown(fo, attrs.uid(), attrs.gid());
                    io.fchmod(fo, attrs.mode() & 07777);
                }
                if (flags.copyNonPosixAttributes) UringUserDefinedFileAttributeView.copyAll(io, fi, fo);
                if (flags.copyBasicAttributes) {
                    int r = setTimes(io, fo, null, attrs);
                    if (r < 0) throw Errno.toException(-r, target.pathForMessage(), null);
                }
                complete = true;
            } finally {
                io.close(fo);
                if (!complete) rollback(target, false);
            }
        } finally {
            io.close(fi);
        }
    }

    /**
     * Copies from the current position of {@code fi} to its end into {@code fo}; if
     * {@code interruptible}, fails with ECANCELED at the first check that finds the thread
     * interrupted.
     */
    private static void transfer(Io io, int fi, int fo, long size, boolean interruptible) throws ErrnoException {
        // an empty size may still have content (procfs): only the buffered loop reads to EOF
        if (size > 0) {
            long chunk = interruptible ? INTERRUPTIBLE_CHUNK : CHUNK;
            long r = io.copyFileRange(fi, fo, chunk);
            if (r > 0) {
                do {
                    checkInterrupt(interruptible);
                } while ((r = io.copyFileRange(fi, fo, chunk)) > 0);
                ErrnoException.check(r);
                checkInterrupt(interruptible);   // the JDK checks after the call that found the end too
                return;
            }
            if (r < 0 && !copyFileRangeRefused((int) -r)) ErrnoException.check(r);
            checkInterrupt(interruptible);
        }
        bufferedTransfer(io, fi, fo, interruptible);
    }

    /** ECANCELED if {@code interruptible} and the thread is interrupted; the status stays set. */
    private static void checkInterrupt(boolean interruptible) throws ErrnoException {
        if (interruptible && Thread.currentThread().isInterrupted()) throw new ErrnoException(Errno.ECANCELED);
    }

    /** errno values with which copy_file_range says "not for these two files", not "I/O failed". */
    private static boolean copyFileRangeRefused(int errno) {
        return errno == Errno.EXDEV || errno == Errno.EINVAL || errno == Errno.ENOSYS
                || errno == Errno.EOPNOTSUPP || errno == Errno.EBADF;
    }

    private static void bufferedTransfer(Io io, int fi, int fo, boolean interruptible) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER_SIZE, 4096);
            for (;;) {
                long n; // EINTR (and EAGAIN) repeated, as the JDK's copy loop does (RESTARTABLE)
                do {
                    n = io.read(fi, buf.address(), BUFFER_SIZE, -1, true, false);
                } while (Io.again(n));
                if (ErrnoException.check(n) == 0) return;
                checkInterrupt(interruptible);
                for (long off = 0; off < n; ) {
                    long w;
                    do {
                        w = io.write(fo, buf.address() + off, (int) (n - off), -1, true, false);
                    } while (Io.again(w));
                    off += ErrnoException.check(w);
                }
            }
        }
    }

    private static void copyLink(UringPath source, UringFileAttributes attrs, UringPath target, Flags flags)
            throws IOException {
        byte[] linkTarget;
        try {
            linkTarget = FileOperations.readlink(source);
        } catch (ErrnoException x) {
            throw x.toIOException(source);
        }
        try {
            FileOperations.symlink(linkTarget, target);
        } catch (ErrnoException x) {
            throw creationFailed(x, target, flags);
        }
        if (flags.copyPosixAttributes) {
            // the owner of a link is not required to be copied: failure is ignored
            try (Arena arena = Arena.ofConfined()) {
                io(target).fchownat(AT_FDCWD, target.toCString(arena), attrs.uid(), attrs.gid(), AT_SYMLINK_NOFOLLOW);
            }
        }
    }

    /** Devices and FIFOs, which only a move across file systems copies. */
    private static void copySpecial(UringPath source, UringFileAttributes attrs, UringPath target, Flags flags)
            throws IOException {
        Io io = io(target);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = target.toCString(arena);
            try {
                ErrnoException.check(io.mknodat(AT_FDCWD, t, attrs.mode(), attrs.rdev()));
            } catch (ErrnoException x) {
                throw creationFailed(x, target, flags);
            }
            boolean done = false;
            try {
                if (flags.copyPosixAttributes) {
                    io.fchownat(AT_FDCWD, t, attrs.uid(), attrs.gid(), 0);
                    io.fchmodat(AT_FDCWD, t, attrs.mode() & 07777, 0);
                }
                if (flags.copyBasicAttributes) {
                    int r = setTimes(io, -1, t, attrs);
                    if (r < 0) throw Errno.toException(-r, target.pathForMessage(), null);
                }
                done = true;
            } finally {
                if (!done) rollback(target, false);
            }
        }
    }

    // ---- move ----

    static void move(Path source, Path target, CopyOption... options) throws IOException {
        UringPath src = UringPath.toUringPath(source);
        if (target != null && !sameProvider(src, target)) {
            moveToForeignTarget(source, target, options);
            return;
        }
        UringPath dst = UringPath.toUringPath(target);
        Flags flags = Flags.fromMoveOptions(options);

        if (flags.atomicMove) {
            try {
                rename(src, dst);
            } catch (ErrnoException x) {
                if (x.errno() == Errno.EXDEV) {
                    throw new AtomicMoveNotSupportedException(src.pathForMessage(), dst.pathForMessage(), x.errorString());
                }
                throw x.toIOException(src, dst);
            }
            return;
        }

        UringFileAttributes sourceAttrs;
        try {
            sourceAttrs = UringFileAttributes.get(src, false);
        } catch (ErrnoException x) {
            throw asNoSuchFile(x).toIOException(src);
        }
        if (sourceAttrs.isDirectory()) {
            // moving a directory rewrites its ".." entry: it must be writable
            int errno = FileOperations.access(src, W_OK);
            if (errno != 0) throw Errno.toException(errno, src.pathForMessage(), null);
        }
        if (prepareTarget(sourceAttrs, dst, flags)) return;

        try {
            rename(src, dst);
            return;
        } catch (ErrnoException x) {
            if (x.errno() != Errno.EXDEV && x.errno() != Errno.EISDIR) throw x.toIOException(src, dst);
        }

        // another file system: copy, then delete the source
        if (sourceAttrs.isDirectory()) {
            ensureEmptyDir(src);
            copyDirectory(src, sourceAttrs, dst, flags);
        } else if (sourceAttrs.isSymbolicLink()) {
            copyLink(src, sourceAttrs, dst, flags);
        } else if (sourceAttrs.isDevice()) {
            copySpecial(src, sourceAttrs, dst, flags);
        } else {
            copyFile(src, sourceAttrs, dst, flags);
        }
        try {
            FileOperations.unlink(src, sourceAttrs.isDirectory());
        } catch (ErrnoException x) {
            // copied but the source stays: undo the copy so the file exists once
            rollback(dst, sourceAttrs.isDirectory());
            if (sourceAttrs.isDirectory() && (x.errno() == Errno.EEXIST || x.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(src.pathForMessage());
            }
            throw x.toIOException(src);
        }
    }

    private static void rename(UringPath source, UringPath target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io(source).renameat(AT_FDCWD, source.toCString(arena), AT_FDCWD,
                    target.toCString(arena), 0));
        }
    }

    /** DirectoryNotEmptyException unless {@code dir} has no entry besides "." and "..". */
    private static void ensureEmptyDir(UringPath dir) throws IOException {
        Io io = io(dir);
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = ErrnoException.check(io.openat(AT_FDCWD, dir.toCString(arena), O_RDONLY | O_CLOEXEC | O_DIRECTORY, 0));
        } catch (ErrnoException x) {
            throw x.toIOException(dir);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096, 8);
            for (;;) {
                long n = Syscalls.getdents64(fd, buf, buf.byteSize());
                if (n < 0) throw Errno.toException((int) -n, dir.pathForMessage(), null);
                if (n == 0) return;
                // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[]
                for (long off = 0; off < n; off += Short.toUnsignedInt(buf.get(JAVA_SHORT, off + 16))) {
                    if (!isDotOrDotDot(buf, off + 19)) throw new DirectoryNotEmptyException(dir.pathForMessage());
                }
            }
        } finally {
            io.close(fd);
        }
    }

    private static boolean isDotOrDotDot(MemorySegment buf, long name) {
        if (buf.get(JAVA_BYTE, name) != '.') return false;
        byte second = buf.get(JAVA_BYTE, name + 1);
        return second == 0 || (second == '.' && buf.get(JAVA_BYTE, name + 2) == 0);
    }

    // ---- to another provider (what Files.copy/move do for two providers) ----

    static void copyToForeignTarget(Path source, Path target, CopyOption... options) throws IOException {
        boolean replaceExisting = false, copyAttributes = false, followLinks = true;
        for (CopyOption option : options) {
            if (option == StandardCopyOption.REPLACE_EXISTING) replaceExisting = true;
            else if (option == LinkOption.NOFOLLOW_LINKS) followLinks = false;
            else if (option == StandardCopyOption.COPY_ATTRIBUTES) copyAttributes = true;
            else if (option == null) throw new NullPointerException();
            else throw new UnsupportedOperationException("'" + option + "' is not a recognized copy option");
        }
        LinkOption[] linkOptions = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes sourceAttrs = Files.readAttributes(source, PosixFileAttributes.class, linkOptions);
        if (sourceAttrs.isSymbolicLink()) throw new IOException("Copying of symbolic links not supported");
        source.getFileSystem().provider().checkAccess(source, AccessMode.READ);

        if (replaceExisting) Files.deleteIfExists(target);
        else if (Files.exists(target)) throw new FileAlreadyExistsException(target.toString());

        if (sourceAttrs.isDirectory()) {
            Files.createDirectory(target);
        } else {
            try (InputStream in = Files.newInputStream(source)) {
                Files.copy(in, target);
            }
        }
        if (copyAttributes) {
            BasicFileAttributeView targetView = Files.getFileAttributeView(target, PosixFileAttributeView.class);
            if (targetView == null) targetView = Files.getFileAttributeView(target, BasicFileAttributeView.class);
            try {
                targetView.setTimes(sourceAttrs.lastModifiedTime(), sourceAttrs.lastAccessTime(),
                        sourceAttrs.creationTime());
                if (sourceAttrs instanceof PosixFileAttributes posix && targetView instanceof PosixFileAttributeView pv) {
                    pv.setPermissions(posix.permissions());
                }
            } catch (Throwable x) {
                try {
                    Files.delete(target);
                } catch (Throwable suppressed) {
                    x.addSuppressed(suppressed);
                }
                throw x;
            }
        }
    }

    static void moveToForeignTarget(Path source, Path target, CopyOption... options) throws IOException {
        CopyOption[] copyOptions = new CopyOption[options.length + 2];
        for (int i = 0; i < options.length; i++) {
            if (options[i] == StandardCopyOption.ATOMIC_MOVE) {
                throw new AtomicMoveNotSupportedException(null, null, "Atomic move between providers is not supported");
            }
            copyOptions[i] = options[i];
        }
        copyOptions[options.length] = LinkOption.NOFOLLOW_LINKS;
        copyOptions[options.length + 1] = StandardCopyOption.COPY_ATTRIBUTES;
        copyToForeignTarget(source, target, copyOptions);
        Files.delete(source);
    }
}
