package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;

import static io.uringfs.ring.LinuxAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The path operations of the provider other than copy/move ({@link UringCopyFile}) and attributes
 * ({@link UringFileAttributeViews}), with the logic and exceptions of the JDK's
 * {@code UnixFileSystemProvider}: e.g. delete looks at the file first so that a non-empty directory
 * gives {@code DirectoryNotEmptyException}, and checkAccess maps ENOTDIR to
 * {@code NoSuchFileException}.
 *
 * <p>System calls: statx, mkdirat, unlinkat, symlinkat and linkat go through the ring when the
 * kernel has the opcode; faccessat and readlinkat have none and are plain calls. Access checks use
 * faccessat without AT_EACCESS, i.e. access(2) with the real ids, as the JDK does.
 *
 * <p>Thread safety: stateless.
 */
final class FileOperations {
    private FileOperations() {}

    static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private static Io io(UringPath p) {
        return p.getFileSystem().io();
    }

    /** access(2): 0 or errno. */
    static int access(UringPath file, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return -io(file).faccessat(AT_FDCWD, file.toCString(arena), mode, 0);
        }
    }

    static void checkAccess(Path obj, AccessMode... modes) throws IOException {
        UringPath file = UringPath.toUringPath(obj);
        boolean e = modes.length == 0, r = false, w = false, x = false;
        for (AccessMode mode : modes) {
            switch (mode) {
                case READ -> r = true;
                case WRITE -> w = true;
                case EXECUTE -> x = true;
            }
        }
        int mode = 0;
        if (e || r) mode |= r ? R_OK : F_OK;
        if (w) mode |= W_OK;
        if (x) mode |= X_OK;
        int errno = access(file, mode);
        if (errno != 0) {
            // a file below a non-directory does not exist, whatever the kernel calls it
            if (errno == Errno.ENOTDIR) errno = Errno.ENOENT;
            throw Errno.toException(errno, file.pathForMessage(), null);
        }
    }

    /** exists: access(F_OK) when following links, else an lstat that succeeds. */
    static boolean exists(Path path, LinkOption... options) {
        UringPath file = UringPath.toUringPath(path);
        if (UringFileAttributeViews.followLinks(options)) return access(file, F_OK) == 0;
        try {
            UringFileAttributes.get(file, false);
            return true;
        } catch (ErrnoException x) {
            return false;
        }
    }

    /** readAttributesIfExists: null instead of NoSuchFileException. */
    static <A extends BasicFileAttributes> A readAttributesIfExists(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type == BasicFileAttributes.class && UringFileAttributeViews.followLinks(options)) {
            UringPath file = UringPath.toUringPath(path);
            try {
                UringFileAttributes attrs = UringFileAttributes.getIfExists(file);
                return attrs == null ? null : type.cast(attrs.asBasic());
            } catch (ErrnoException x) {
                throw x.toIOException(file);
            }
        }
        try {
            return UringFileAttributeViews.readAttributes(path, type, options);
        } catch (NoSuchFileException ignore) {
            return null;
        }
    }

    static void createDirectory(Path obj, FileAttribute<?>... attrs) throws IOException {
        UringPath dir = UringPath.toUringPath(obj);
        int mode = FileModes.toMode(FileModes.ALL_PERMISSIONS, attrs);
        try (Arena arena = Arena.ofConfined()) {
            int r = io(dir).mkdirat(AT_FDCWD, dir.toCString(arena), mode);
            if (r == -Errno.EISDIR) throw new FileAlreadyExistsException(dir.toString());
            if (r < 0) throw Errno.toException(-r, dir.pathForMessage(), null);
        }
    }

    /** delete (failIfNotExists) or deleteIfExists: rmdir for directories, unlink for the rest. */
    static boolean delete(Path obj, boolean failIfNotExists) throws IOException {
        UringPath file = UringPath.toUringPath(obj);
        UringFileAttributes attrs = null;
        try {
            attrs = UringFileAttributes.get(file, false);
            unlink(file, attrs.isDirectory());
            return true;
        } catch (ErrnoException x) {
            if (!failIfNotExists && x.errno() == Errno.ENOENT) return false;
            if (attrs != null && attrs.isDirectory() && (x.errno() == Errno.EEXIST || x.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(file.pathForMessage());
            }
            throw x.toIOException(file);
        }
    }

    /** unlink, or rmdir when {@code directory}. */
    static void unlink(UringPath file, boolean directory) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io(file).unlinkat(AT_FDCWD, file.toCString(arena), directory ? AT_REMOVEDIR : 0));
        }
    }

    static void createSymbolicLink(Path obj1, Path obj2, FileAttribute<?>... attrs) throws IOException {
        UringPath link = UringPath.toUringPath(obj1);
        UringPath target = UringPath.toUringPath(obj2);
        if (attrs.length > 0) {
            FileModes.toMode(0, attrs);   // NPE or UOE for what the JDK rejects that way
            throw new UnsupportedOperationException("Initial file attributes not supported when creating symbolic link");
        }
        try {
            symlink(target.bytes(), link);
        } catch (ErrnoException x) {
            throw x.toIOException(link);
        }
    }

    /** Creates {@code link} with the (unresolved) {@code target} bytes as its content. */
    static void symlink(byte[] target, UringPath link) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io(link).symlinkat(cString(arena, target), AT_FDCWD, link.toCString(arena)));
        }
    }

    static void createLink(Path obj1, Path obj2) throws IOException {
        UringPath link = UringPath.toUringPath(obj1);
        UringPath existing = UringPath.toUringPath(obj2);
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io(link).linkat(AT_FDCWD, existing.toCString(arena), AT_FDCWD, link.toCString(arena), 0));
        } catch (ErrnoException x) {
            throw x.toIOException(link, existing);
        }
    }

    static Path readSymbolicLink(Path obj) throws IOException {
        UringPath link = UringPath.toUringPath(obj);
        try {
            return new UringPath(link.getFileSystem(), readlink(link));
        } catch (ErrnoException x) {
            if (x.errno() == Errno.EINVAL) throw new NotLinkException(link.pathForMessage());
            throw x.toIOException(link);
        }
    }

    /** The content of the link {@code link}; EINVAL if it is not a link. */
    static byte[] readlink(UringPath link) throws ErrnoException {
        final int pathMax = 4096;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(pathMax + 1);
            long n = ErrnoException.check(io(link).readlinkat(AT_FDCWD, link.toCString(arena), buf, pathMax + 1));
            if (n == pathMax + 1) throw new ErrnoException(Errno.ENAMETOOLONG);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    static boolean isSameFile(Path obj1, Path obj2) throws IOException {
        UringPath file1 = UringPath.toUringPath(obj1);
        if (file1.equals(obj2)) return true;
        if (obj2 == null) throw new NullPointerException();
        // another provider's path, the other uringfs provider's included, is never the same file (as in the JDK)
        if (!(obj2 instanceof UringPath file2) || file2.getFileSystem().provider() != file1.getFileSystem().provider()) {
            return false;
        }
        UringFileAttributes attrs1, attrs2;
        try {
            attrs1 = UringFileAttributes.get(file1, true);
        } catch (ErrnoException x) {
            throw x.toIOException(file1);
        }
        try {
            attrs2 = UringFileAttributes.get(file2, true);
        } catch (ErrnoException x) {
            throw x.toIOException(file2);
        }
        return attrs1.isSameFile(attrs2);
    }

    /** A name starting with '.'; the empty path names the default directory, which never does. */
    static boolean isHidden(Path obj) {
        UringPath file = UringPath.toUringPath(obj);
        UringPath name = file.getFileName();
        if (name == null || name.bytes().length == 0) return false;
        return name.bytes()[0] == '.';
    }
}
