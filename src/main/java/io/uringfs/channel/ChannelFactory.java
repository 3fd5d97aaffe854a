package io.uringfs.channel;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * Opens files for the channels: the one place where open options and initial attributes become
 * {@code open(2)} flags and a mode, with exactly the rules, defaults and exceptions of the JDK's
 * {@code sun.nio.fs.UnixChannelFactory} and {@code UnixFileModeAttribute}.
 *
 * <p>The file system layer passes what it has (the path's bytes for the system call and its
 * string for messages), so this package does not depend on {@code io.uringfs.fs}.
 *
 * <p>Semantics kept from the JDK: READ is the default (WRITE with APPEND alone); READ+APPEND and
 * APPEND+TRUNCATE_EXISTING are rejected; CREATE/CREATE_NEW/TRUNCATE_EXISTING/APPEND only count
 * when writing; NOFOLLOW_LINKS and DELETE_ON_CLOSE (unless CREATE_NEW) add O_NOFOLLOW; SPARSE is
 * ignored; DELETE_ON_CLOSE unlinks the file right after opening it (the JDK on Unix does the
 * same; the open descriptor keeps the data until close); the mode defaults to 0666 (before the
 * umask).
 *
 * <p>Thread safety: stateless.
 */
public final class ChannelFactory {
    private ChannelFactory() {}

    /**
     * Called by the {@code file:} front end ({@code io.uringfs.fs.UringDefaultFileSystemProvider})
     * with the JDK's built-in provider it receives when installed as the JVM's default provider:
     * {@code FileChannel.map} creates its mapping through a channel of that provider, which then
     * is no longer {@code FileSystems.getDefault().provider()}. Only the first call counts.
     */
    public static void useBuiltInProvider(java.nio.file.spi.FileSystemProvider jdk) {
        BuiltInProvider.record(java.util.Objects.requireNonNull(jdk));
    }

    /** rw-rw-rw-: what the JDK creates files with when no permissions are given. */
    static final int DEFAULT_MODE = 0666;

    /** The options that matter, as the JDK's {@code UnixChannelFactory.Flags}. */
    private static final class Flags {
        boolean read, write, append, truncateExisting, noFollowLinks, create, createNew, deleteOnClose,
                sync, dsync, direct;

        static Flags of(Set<? extends OpenOption> options) {
            Flags f = new Flags();
            for (OpenOption option : options) {
                if (option instanceof StandardOpenOption o) {
                    switch (o) {
                        case READ -> f.read = true;
                        case WRITE -> f.write = true;
                        case APPEND -> f.append = true;
                        case TRUNCATE_EXISTING -> f.truncateExisting = true;
                        case CREATE -> f.create = true;
                        case CREATE_NEW -> f.createNew = true;
                        case DELETE_ON_CLOSE -> f.deleteOnClose = true;
                        case SPARSE -> { }
                        case SYNC -> f.sync = true;
                        case DSYNC -> f.dsync = true;
                        default -> throw new UnsupportedOperationException();
                    }
                    continue;
                }
                if (option == LinkOption.NOFOLLOW_LINKS) {
                    f.noFollowLinks = true;
                    continue;
                }
                if (isDirect(option)) {
                    f.direct = true;
                    continue;
                }
                if (option == null) throw new NullPointerException();
                throw new UnsupportedOperationException(option + " not supported");
            }
            return f;
        }
    }

    /**
     * Whether {@code option} is {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, recognized by
     * name so that this module need not read {@code jdk.unsupported}.
     */
    private static boolean isDirect(OpenOption option) {
        return option instanceof Enum<?> e && e.name().equals("DIRECT")
                && e.getDeclaringClass().getName().equals("com.sun.nio.file.ExtendedOpenOption");
    }

    /**
     * The mode for {@code attrs}, as the JDK's {@code UnixFileModeAttribute.toUnixMode}: only
     * "posix:permissions" (or "unix:permissions") is accepted; the last one wins.
     */
    @SuppressWarnings("unchecked")
    public static int mode(FileAttribute<?>... attrs) {
        int mode = DEFAULT_MODE;
        for (FileAttribute<?> attr : attrs) {
            String name = attr.name();
            if (!name.equals("posix:permissions") && !name.equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + attr.name() + "' not supported as initial attribute");
            }
            mode = mode((Set<PosixFilePermission>) attr.value());
        }
        return mode;
    }

    static int mode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            if (p == null) throw new NullPointerException();
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }

    /**
     * Opens a {@link FileChannel}, as {@code FileChannel.open} / {@code Files.newByteChannel}.
     *
     * @param path    the path's bytes for the system call (no terminating NUL)
     * @param display the path as exceptions name it ({@code Path.toString()})
     */
    public static FileChannel newFileChannel(Io io, byte[] path, String display, Set<? extends OpenOption> options,
                                             FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(io, AT_FDCWD, path, display, options, mode(attrs), false);
    }

    /**
     * Opens a {@link FileChannel} for {@code path} relative to the open directory {@code dirfd}
     * ({@code SecureDirectoryStream.newByteChannel}), with the same option rules.
     */
    public static FileChannel newFileChannel(Io io, int dirfd, byte[] path, String display,
                                             Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(io, dirfd, path, display, options, mode(attrs), false);
    }

    private static UringFileChannel newFileChannel(Io io, int dirfd, byte[] path, String display,
                                                   Set<? extends OpenOption> options, int mode,
                                                   boolean uninterruptible) throws IOException {
        Flags flags = Flags.of(options);
        if (!flags.read && !flags.write) {
            if (flags.append) flags.write = true;
            else flags.read = true;
        }
        if (flags.read && flags.append) throw new IllegalArgumentException("READ + APPEND not allowed");
        if (flags.append && flags.truncateExisting) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        int fd = open(io, dirfd, path, display, flags, mode);
        int alignment = -1;
        if (flags.direct) {
            try {
                alignment = FileOps.blockSize(fd);
            } catch (IOException e) {
                Syscalls.close(fd);
                throw new UnsupportedOperationException("Error setting up DirectIO", e);
            }
        }
        return new UringFileChannel(io, fd, flags.read, flags.write, flags.append, alignment, flags.sync || flags.dsync,
                uninterruptible);
    }

    /**
     * Opens an {@link AsynchronousFileChannel}, as {@code AsynchronousFileChannel.open}: READ by
     * default, APPEND not allowed. Handlers run on {@code executor}, or on new virtual threads when
     * it is null.
     */
    public static AsynchronousFileChannel newAsynchronousFileChannel(Io io, byte[] path, String display,
                                                                     Set<? extends OpenOption> options,
                                                                     ExecutorService executor,
                                                                     FileAttribute<?>... attrs) throws IOException {
        int mode = mode(attrs);
        Flags flags = Flags.of(options);
        if (!flags.read && !flags.write) flags.read = true;
        if (flags.append) throw new UnsupportedOperationException("APPEND not allowed");
        int fd = open(io, AT_FDCWD, path, display, flags, mode);
        return new UringAsynchronousFileChannel(io, fd, flags.read, flags.write, executor);
    }

    /**
     * An input stream over an uninterruptible channel, as {@code Files.newInputStream}: every
     * option but WRITE and APPEND is allowed. A {@link UringInputStream}, so that FIFOs and
     * devices are read where the JDK's stream would seek in them.
     */
    public static InputStream newInputStream(Io io, byte[] path, String display, OpenOption... options)
            throws IOException {
        for (OpenOption opt : options) {
            if (opt == StandardOpenOption.APPEND || opt == StandardOpenOption.WRITE) {
                throw new UnsupportedOperationException("'" + opt + "' not allowed");
            }
        }
        return new UringInputStream(newFileChannel(io, AT_FDCWD, path, display, new HashSet<>(Arrays.asList(options)), DEFAULT_MODE, true)); // repeats allowed, as in Files.newByteChannel
    }

    /**
     * An output stream over an uninterruptible channel, as {@code Files.newOutputStream}: CREATE,
     * TRUNCATE_EXISTING and WRITE by default; READ is rejected; WRITE is always added.
     */
    public static OutputStream newOutputStream(Io io, byte[] path, String display, OpenOption... options)
            throws IOException {
        Set<OpenOption> opts = new HashSet<>();
        if (options.length == 0) {
            opts.add(StandardOpenOption.CREATE);
            opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            for (OpenOption opt : options) {
                if (opt == StandardOpenOption.READ) throw new IllegalArgumentException("READ not allowed");
                opts.add(opt);
            }
        }
        opts.add(StandardOpenOption.WRITE);
        return Channels.newOutputStream(newFileChannel(io, AT_FDCWD, path, display, opts, DEFAULT_MODE, true));
    }

    /** open(2) with the JDK's flag mapping and error translation; returns the descriptor. */
    private static int open(Io io, int dirfd, byte[] path, String display, Flags flags, int mode) throws IOException {
        int oflags = flags.read && flags.write ? O_RDWR : flags.write ? O_WRONLY : O_RDONLY;
        if (flags.write) {
            if (flags.truncateExisting) oflags |= O_TRUNC;
            if (flags.append) oflags |= O_APPEND;
            if (flags.createNew) {
                // "." or ".../." exists by definition; say so rather than let open(2) say EISDIR
                int n = path.length;
                if (n > 0 && path[n - 1] == '.' && (n == 1 || path[n - 2] == '/')) {
                    throw Errno.toException(Errno.EEXIST, display);
                }
                oflags |= O_CREAT | O_EXCL;
            } else if (flags.create) {
                oflags |= O_CREAT;
            }
        }
        boolean followLinks = true;
        if (!flags.createNew && (flags.noFollowLinks || flags.deleteOnClose)) {
            followLinks = false;
            oflags |= O_NOFOLLOW;
        }
        if (flags.dsync) oflags |= O_DSYNC;
        if (flags.sync) oflags |= O_SYNC;
        if (flags.direct) oflags |= O_DIRECT;

        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocate(path.length + 1L);
            MemorySegment.copy(path, 0, cpath, ValueLayout.JAVA_BYTE, 0, path.length);
            fd = io.openat(dirfd, cpath, oflags | O_CLOEXEC, mode);
            if (fd >= 0 && flags.deleteOnClose) {
                io.unlinkat(dirfd, cpath, 0); // best effort, as the JDK
            }
        }
        if (fd < 0) {
            int errno = -fd;
            // Linux answers EISDIR rather than EEXIST for an existing directory with O_CREAT|O_EXCL
            if (flags.createNew && errno == Errno.EISDIR) errno = Errno.EEXIST;
            if (!followLinks && errno == Errno.ELOOP) {
                throw new IOException(Errno.message(errno) + " (NOFOLLOW_LINKS specified)");
            }
            throw Errno.toException(errno, display);
        }
        return fd;
    }
}
