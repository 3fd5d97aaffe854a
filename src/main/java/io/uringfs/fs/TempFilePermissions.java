package io.uringfs.fs;

import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Owner-only permissions for the files and directories that {@code Files.createTempFile} and
 * {@code Files.createTempDirectory} create on {@code uring:}, as they get on the default file
 * system.
 *
 * <p>The JDK's {@code java.nio.file.TempFileHelper} adds {@code rw-------} (files) or
 * {@code rwx------} (directories) to the caller's attributes when these hold no
 * {@code posix:permissions}, but only if the directory's file system is
 * {@code FileSystems.getDefault()}; then it calls {@code Files.createFile} (which calls
 * {@code newByteChannel(path, {CREATE_NEW, WRITE}, attrs)}) or {@code Files.createDirectory}. No
 * argument tells the provider that the call comes from there, so the provider looks at its caller,
 * and only for the two call shapes {@code TempFileHelper} produces on another file system: a
 * {@code newByteChannel} with exactly CREATE_NEW and WRITE, or a {@code createDirectory}, each
 * without a {@code posix:permissions} attribute. A short stack walk (at most {@link #MAX_FRAMES}
 * frames, classes only) then checks that the frames above the provider's own are
 * {@code java.nio.file.Files} and, next, {@code TempFileHelper}; then the provider adds the same
 * attribute the JDK adds on the default file system, after the caller's (the last permission
 * attribute wins, as in {@code UnixFileModeAttribute}).
 *
 * <p>Cost, measured as the calling thread's CPU time on JDK 25 on the project's 2-core VM (it was
 * loaded by other builds, which made JMH's wall-clock figures noise): the walk alone 0.7-1.2 µs
 * per call (200,000 calls after warm-up); in the real call chain, {@code Files.createDirectory}
 * of an existing {@code uring:} directory took 6.5-7.0 µs of CPU against 4.4-5.1 µs for the
 * same call with {@code posix:permissions} (which does not walk), i.e. about 1.5-2 µs per call
 * (50,000 calls per round, warmed-up rounds). Only
 * {@code createDirectory} and {@code newByteChannel} with exactly CREATE_NEW+WRITE, each without
 * {@code posix:permissions}, pay it (so every {@code Files.createFile} without attributes does);
 * other {@code newByteChannel} calls only compare their options, and {@code newFileChannel}
 * ({@code FileChannel.open}) does not look.
 *
 * <p>Thread safety: stateless.
 */
final class TempFilePermissions {
    private TempFilePermissions() {}

    /** Walker frame 0 is {@link #calledFromTempFileHelper}; then this class, the provider, Files, TempFileHelper. */
    private static final int MAX_FRAMES = 10;
    private static final StackWalker WALKER = StackWalker.getInstance(
            Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.DROP_METHOD_INFO));
    private static final String TEMP_FILE_HELPER = "java.nio.file.TempFileHelper";

    private static final FileAttribute<Set<PosixFilePermission>> FILE_PERMISSIONS = PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_PERMISSIONS =
            PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));

    /** The attributes for {@code newByteChannel}: with owner-only permissions added for a temporary file. */
    static FileAttribute<?>[] forFile(Set<? extends OpenOption> options, FileAttribute<?>[] attrs) {
        if (options.size() != 2 || !options.contains(StandardOpenOption.CREATE_NEW)
                || !options.contains(StandardOpenOption.WRITE) || hasPosixPermissions(attrs)
                || !calledFromTempFileHelper()) {
            return attrs;
        }
        return with(attrs, FILE_PERMISSIONS);
    }

    /** The attributes for {@code createDirectory}: with owner-only permissions added for a temporary directory. */
    static FileAttribute<?>[] forDirectory(FileAttribute<?>[] attrs) {
        if (hasPosixPermissions(attrs) || !calledFromTempFileHelper()) return attrs;
        return with(attrs, DIRECTORY_PERMISSIONS);
    }

    /**
     * What TempFileHelper looks for: an attribute named exactly "posix:permissions". A null one is
     * passed on: the mode parsing throws for it as for any caller.
     */
    private static boolean hasPosixPermissions(FileAttribute<?>[] attrs) {
        for (FileAttribute<?> attr : attrs) {
            if (attr != null && attr.name().equals("posix:permissions")) return true;
        }
        return false;
    }

    private static FileAttribute<?>[] with(FileAttribute<?>[] attrs, FileAttribute<?> permissions) {
        FileAttribute<?>[] copy = Arrays.copyOf(attrs, attrs.length + 1);
        copy[attrs.length] = permissions;
        return copy;
    }

    /**
     * Whether the provider method that called into this class was called by {@code Files} on
     * behalf of {@code TempFileHelper}: after the frames of this package come only frames of
     * {@code java.nio.file.Files}, then {@code TempFileHelper}. A provider wrapping this one, or
     * any other caller, puts a different class there.
     */
    private static boolean calledFromTempFileHelper() {
        return WALKER.walk(frames -> {
            Iterator<StackWalker.StackFrame> it = frames.limit(MAX_FRAMES).iterator();
            Class<?> c = null;
            while (it.hasNext()) {
                c = it.next().getDeclaringClass();
                if (c.getPackage() != TempFilePermissions.class.getPackage()) break;
            }
            boolean sawFiles = false;
            while (c == Files.class && it.hasNext()) {
                sawFiles = true;
                c = it.next().getDeclaringClass();
            }
            return sawFiles && c.getName().equals(TEMP_FILE_HELPER);
        });
    }
}
