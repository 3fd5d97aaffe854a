package io.uringfs.fs;

import io.uringfs.channel.ChannelFactory;
import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static io.uringfs.engine.Errno.EEXIST;
import static io.uringfs.engine.Errno.ELOOP;
import static io.uringfs.engine.Errno.ENOTDIR;
import static io.uringfs.engine.Errno.ENOTEMPTY;
import static io.uringfs.engine.Errno.EXDEV;
import static io.uringfs.ring.LinuxAbi.*;

/**
 * A directory stream over an open directory descriptor; always a {@link SecureDirectoryStream},
 * as the default provider's on Linux ({@code UnixSecureDirectoryStream}).
 *
 * <p>The directory is opened with {@code O_RDONLY|O_DIRECTORY|O_CLOEXEC} through {@link Io}
 * (io_uring {@code OPENAT} when available), so a non-directory fails at once with ENOTDIR, even a
 * FIFO (the JDK would block opening one). Entries come from {@link DirentReader}
 * ({@code getdents64}, a plain system call: io_uring has no opcode for it). Operations relative to
 * the stream use the same descriptor with the {@code *at} system calls; the JDK dups its descriptor
 * only because it hands one to {@code fdopendir}, which owns it.
 *
 * <p>Thread safety: a read/write lock makes {@link #close} wait for operations and reads that use
 * the descriptor (read lock), so the descriptor is never used after it is closed (or reused). The
 * iterator is synchronized, as the JDK's.
 */
final class UringDirectoryStream implements SecureDirectoryStream<Path> {

    private final UringPath dir;
    /** Kept from the open: closing a named file system closes its streams after {@code fs.io()} refuses. */
    private final Io io;
    private final int dfd;
    private final DirectoryStream.Filter<? super Path> filter;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final DirentReader reader = new DirentReader();
    private volatile boolean open = true;
    private Iterator<Path> iterator;

    private UringDirectoryStream(UringPath dir, Io io, int dfd, DirectoryStream.Filter<? super Path> filter) {
        this.dir = dir;
        this.io = io;
        this.dfd = dfd;
        this.filter = filter;
    }

    /** {@code Files.newDirectoryStream(dir, filter)}: opens {@code dir} following links. */
    static UringDirectoryStream open(UringPath dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        if (filter == null) throw new NullPointerException();
        Io io = dir.getFileSystem().io();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = io.openat(AT_FDCWD, dir.toCString(arena), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }
        if (fd < 0) throw openFailure(-fd, dir.pathForMessage());
        return dir.getFileSystem().register(new UringDirectoryStream(dir, io, fd, filter));
    }

    private static IOException openFailure(int errno, String file) {
        return errno == ENOTDIR ? new NotDirectoryException(file) : Errno.toException(errno, file);
    }

    Io io() {
        return io;
    }

    /** The directory as given when the stream was opened (entries are resolved against it). */
    UringPath directory() {
        return dir;
    }

    // ---- DirectoryStream ----

    @Override
    public Iterator<Path> iterator() {
        if (!open) throw new IllegalStateException("Directory stream is closed");
        synchronized (this) {
            if (iterator != null) throw new IllegalStateException("Iterator already obtained");
            iterator = new EntryIterator();
            return iterator;
        }
    }

    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (!open) return;
            open = false;
            reader.close();
            int r = io().close(dfd);
            if (r < 0) throw Errno.toException(-r, dir.pathForMessage());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Iterates over the entries, applying the filter; ends early (no exception) once the stream is closed. */
    private final class EntryIterator implements Iterator<Path> {
        private Path next;
        private boolean atEnd;

        private Path readNext() {
            for (;;) {
                byte[] name = null;
                lock.readLock().lock();
                try {
                    if (open) {
                        name = reader.next(dfd, errno ->
                                new DirectoryIteratorException(Errno.toException(errno, dir.pathForMessage())));
                    }
                } finally {
                    lock.readLock().unlock();
                }
                if (name == null) {
                    atEnd = true;
                    return null;
                }
                Path entry = dir.resolve(new UringPath(dir.getFileSystem(), name));
                try {
                    if (filter == null || filter.accept(entry)) return entry;
                } catch (IOException e) {
                    throw new DirectoryIteratorException(e);
                }
            }
        }

        @Override
        public synchronized boolean hasNext() {
            if (next == null && !atEnd) next = readNext();
            return next != null;
        }

        @Override
        public synchronized Path next() {
            Path result;
            if (next == null && !atEnd) {
                result = readNext();
            } else {
                result = next;
                next = null;
            }
            if (result == null) throw new NoSuchElementException();
            return result;
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException(); // no message, as the default provider's
        }
    }

    // ---- SecureDirectoryStream: operations relative to the open directory ----

    /** The directory's descriptor: use only inside {@link #withDescriptor}. */
    int descriptor() {
        return dfd;
    }

    /** Runs {@code op} with the descriptor guaranteed open; throws if the stream is closed. */
    <T> T withDescriptor(DescriptorOp<T> op) throws IOException {
        lock.readLock().lock();
        try {
            if (!open) throw new ClosedDirectoryStreamException();
            try (Arena arena = Arena.ofConfined()) {
                return op.run(arena);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @FunctionalInterface
    interface DescriptorOp<T> {
        T run(Arena arena) throws IOException;
    }

    /** The path's own bytes as a C string: relative paths stay relative to the directory descriptor. */
    static MemorySegment relativeCString(UringPath p, Arena arena) {
        byte[] b = p.bytes();
        MemorySegment s = arena.allocate(b.length + 1L);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    /** {@code path} as a path of this stream's provider (see {@link UringFileSystemProvider#own}). */
    private UringPath own(Path path) {
        return dir.getFileSystem().provider().own(path);
    }

    private static boolean followLinks(LinkOption... options) {
        boolean follow = true;
        for (LinkOption o : options) {
            if (o == LinkOption.NOFOLLOW_LINKS) follow = false;
            else if (o == null) throw new NullPointerException();
            else throw new AssertionError("Should not get here");
        }
        return follow;
    }

    @Override
    public SecureDirectoryStream<Path> newDirectoryStream(Path path, LinkOption... options) throws IOException {
        UringPath file = own(path);
        UringPath child = dir.resolve(file);
        int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followLinks(options) ? 0 : O_NOFOLLOW);
        return withDescriptor(arena -> {
            MemorySegment name = relativeCString(file, arena);
            int fd = io().openat(dfd, name, flags, 0);
            if (fd == -ENOTDIR && (flags & O_NOFOLLOW) != 0 && isSymbolicLink(name)) {
                // O_DIRECTORY reports a symbolic link as ENOTDIR; the JDK (no O_DIRECTORY) sees ELOOP
                fd = -ELOOP;
            }
            if (fd < 0) throw openFailure(-fd, file.pathForMessage());
            return dir.getFileSystem().register(new UringDirectoryStream(child, io, fd, null));
        });
    }

    private boolean isSymbolicLink(MemorySegment name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_STRUCT_SIZE, 8);
            return io().statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, buf) == 0
                    && (buf.get(ValueLayout.JAVA_SHORT, STX_MODE) & S_IFMT) == S_IFLNK;
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        UringPath file = own(path);
        return withDescriptor(arena ->
                ChannelFactory.newFileChannel(io(), dfd, file.bytes(), file.pathForMessage(), options, attrs));
    }

    @Override
    public void deleteFile(Path path) throws IOException {
        delete(own(path), 0);
    }

    @Override
    public void deleteDirectory(Path path) throws IOException {
        delete(own(path), AT_REMOVEDIR);
    }

    private void delete(UringPath file, int flags) throws IOException {
        withDescriptor(arena -> {
            int r = io().unlinkat(dfd, relativeCString(file, arena), flags);
            if (r < 0) {
                // the JDK reports a non-empty directory without a file name
                if ((flags & AT_REMOVEDIR) != 0 && (r == -EEXIST || r == -ENOTEMPTY)) {
                    throw new DirectoryNotEmptyException(null);
                }
                throw Errno.toException(-r, file.pathForMessage());
            }
            return null;
        });
    }

    @Override
    public void move(Path srcpath, SecureDirectoryStream<Path> targetdir, Path targetpath) throws IOException {
        UringPath from = own(srcpath);
        UringPath to = own(targetpath);
        if (targetdir == null) throw new NullPointerException();
        if (!(targetdir instanceof UringDirectoryStream that) || that.dir.getFileSystem().provider() != dir.getFileSystem().provider()) {
            throw new ProviderMismatchException();
        }
        withDescriptor(arena -> that.withDescriptor(arena2 -> {
            int r = io().renameat(dfd, relativeCString(from, arena), that.dfd, relativeCString(to, arena), 0);
            if (r == -EXDEV) {
                throw new AtomicMoveNotSupportedException(from.pathForMessage(), to.pathForMessage(), Errno.message(EXDEV));
            }
            if (r < 0) throw Errno.toException(-r, from.pathForMessage(), to.pathForMessage());
            return null;
        }));
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Class<V> type) {
        return SecureDirectoryViews.of(this, null, type, true);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        UringPath file = own(path);
        return SecureDirectoryViews.of(this, file, type, followLinks(options));
    }
}
