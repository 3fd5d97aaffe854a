package io.uringfs.channel;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;
import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.spi.FileSystemProvider;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link FileChannel} whose reads, writes and syncs run on the shared io_uring (through
 * {@link Io}), with the semantics of the JDK's {@code sun.nio.ch.FileChannelImpl}.
 *
 * <h2>I/O path</h2>
 * Relative ops use the kernel's file offset (offset -1), exactly as the JDK's {@code read(2)}/
 * {@code write(2)} do, so non-seekable files and O_APPEND behave the same; positional ops pass the
 * offset. Reads and writes first try {@code RWF_NOWAIT} (page-cache hit: one short system call, no
 * park) except with O_DIRECT, where that would always miss. Buffers: see {@link BufferIo}.
 *
 * <p>Limitation: a direct buffer is handed to the kernel by its address. The JDK's channels also
 * acquire the session of a buffer that views a closeable arena's memory
 * ({@code Arena.ofShared().allocate(n).asByteBuffer()}), so that {@code arena.close()} fails while
 * the I/O runs; the FFM API has no public way to do that (or to tell such a buffer cheaply from
 * one of {@code ByteBuffer.allocateDirect}), so here closing the arena during a read frees memory
 * the kernel may still write into. Such arenas must not be closed while I/O on their buffers runs.
 *
 * <h2>Interrupts and close</h2>
 * Every blocking op runs between {@code begin()} and {@code end(completed)} of
 * {@link java.nio.channels.spi.AbstractInterruptibleChannel}: interrupting a thread in (or before)
 * an op closes the channel, and that thread gets {@link ClosedByInterruptException} with its
 * interrupt status set, while other threads blocked on the channel get
 * {@link AsynchronousCloseException}. Ops are registered in an {@link InFlight} count; closing
 * cancels the descriptor's ring ops ({@code IORING_OP_ASYNC_CANCEL} on the fd), waits until every
 * op has seen its CQE, and only then closes the descriptor, so its number is never reused under
 * an in-flight op. The ring waits themselves do not cancel on interrupt: cancellation comes only
 * from closing, which keeps "cancelled" and "channel closed" one and the same event. A transfer,
 * splice or {@code force} whose op reports {@code EINTR} (from the ring: interrupted before it
 * moved a byte) or a transfer's {@code EAGAIN} is made again while the channel is open, as the
 * JDK repeats {@code EINTR}; once closed, the failure is reported as the close.
 * Channels made for {@code Files.newInputStream}/{@code newOutputStream} are uninterruptible,
 * like the JDK's.
 *
 * <h2>Locks</h2>
 * Open-file-description locks ({@code F_OFD_SETLK}), checked first against the JVM-wide
 * {@link LockTable} ({@link java.nio.channels.OverlappingFileLockException} within the JVM, as the
 * JDK). Towards other processes they conflict exactly as the JDK's classic POSIX locks do: the
 * kernel checks OFD and POSIX record locks against each other with the same shared/exclusive
 * byte-range rules. Two differences, both within this process: an OFD lock is not dropped when
 * another descriptor of the same file is closed (a POSIX lock is), and it conflicts with a
 * POSIX lock this very process holds, e.g. through the default provider's channel, which then
 * blocks (or {@code tryLock} returns null) where two default-provider channels would throw
 * {@code OverlappingFileLockException}.
 *
 * <p>A blocking {@code lock} does not sleep in the kernel: it polls the non-blocking
 * {@code F_OFD_SETLK}, parking between tries with a back-off doubling from 0.1 ms to 20 ms. There
 * is no io_uring opcode for record locks, and a waiting {@code F_OFD_SETLKW} would pin the
 * virtual thread's carrier for as long as the other holder keeps the lock, and could not be
 * cancelled by {@code close}. Polling parks instead and stays interruptible; the cost is that a
 * released lock may be taken up to 20 ms late, waiters are not queued fairly, and a deadlock
 * between processes is not detected ({@code F_SETLKW}'s {@code EDEADLK}): both wait.
 *
 * <h2>Mapping</h2>
 * {@code map} checks as the JDK does, extends the file if needed, then lets the JDK's own channel
 * on {@code /proc/self/fd/N} (the very same file, even if unlinked) create the mapping. That
 * channel is opened through the JDK's built-in provider ({@link BuiltInProvider}), never through
 * uringfs, which may be the JVM's default provider.
 *
 * <p>Thread safety: safe for concurrent use, as {@link FileChannel} requires; relative ops and
 * those touching the position are serialized by a position lock, positional ops run in parallel.
 */
public final class UringFileChannel extends FileChannel implements UringFileLock.Owner {
    private static final int TRANSFER_SIZE = 8192;
    private static final Set<StandardOpenOption> MAP_READ = Set.of(StandardOpenOption.READ),
            MAP_READ_WRITE = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final long LOCK_BACKOFF_MIN = 100_000L, LOCK_BACKOFF_MAX = 20_000_000L;

    private final Io io;
    private final int fd;
    private final boolean readable, writable, append;
    /** O_DIRECT block size, or -1 when not opened with DIRECT. */
    private final int alignment;
    private final boolean uninterruptible;
    /** O_SYNC or O_DSYNC: every write waits for the device. */
    private final boolean syncWrites;
    /** What the descriptor is, asked when first needed: 0 not yet known, else {@link #REGULAR} or {@link #OTHER}. */
    private volatile int kind;
    private static final int REGULAR = 1, OTHER = 2;
    private final InFlight inFlight = new InFlight();
    private final ReentrantLock positionLock = new ReentrantLock();
    private volatile FileKey fileKey;

    UringFileChannel(Io io, int fd, boolean readable, boolean writable, boolean append, int alignment,
                     boolean syncWrites, boolean uninterruptible) {
        this.syncWrites = syncWrites;
        this.io = io;
        this.fd = fd;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
        this.alignment = alignment;
        this.uninterruptible = uninterruptible;
    }

    int fd() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    private void beginBlocking() {
        if (!uninterruptible) begin();
    }

    private void endBlocking(boolean completed) throws AsynchronousCloseException {
        if (!uninterruptible) {
            end(completed);
        } else if (!completed && !isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    /** A failed op: an I/O error, unless the channel was closed under it (then end() reports that). */
    private void failed(long r) throws IOException {
        if (isOpen()) throw Errno.toIOException(BufferIo.errno(r));
    }

    private boolean direct() {
        return alignment > 0;
    }

    /**
     * How writes go ({@link BufferIo#write}): a buffered, non-synchronous write to a regular file,
     * which at worst copies into the page cache, may skip the ring; O_SYNC/O_DSYNC and O_DIRECT
     * writes wait for the device; a write to a FIFO or device can block for ever and must be a
     * ring op on every thread, which parks instead of pinning and which closing can cancel.
     */
    private int writePath() {
        if (!regular()) return BufferIo.RING_ONLY;
        return syncWrites || direct() ? BufferIo.DEVICE : BufferIo.PAGE_CACHE;
    }

    /**
     * How reads go ({@link BufferIo#read}): O_DIRECT reads wait for the device; other reads may be
     * served by the page cache, except that a platform thread's read of a FIFO or device (which
     * {@link io.uringfs.engine.Io} would make a plain, uncancellable system call) must be a ring op.
     * Virtual threads skip the file-type check (a {@code statx} per channel: one virtual thread's
     * hot small files took 9.1 µs each with it, 8.0 without, to open, stat, read and close): their
     * reads go to the ring whenever they would wait.
     */
    private int readPath() {
        if (direct()) return BufferIo.DEVICE;
        return Thread.currentThread().isVirtual() || regular() ? BufferIo.PAGE_CACHE : BufferIo.RING_ONLY;
    }

    private boolean regular() {
        int k = kind;
        if (k == 0) kind = k = Io.isRegularFile(fd) ? REGULAR : OTHER;
        return k == REGULAR;
    }

    private static boolean hasRemaining(ByteBuffer[] bufs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) if (bufs[i].hasRemaining()) return true;
        return false;
    }

    // ---- read ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!readable) throw new NonReadableChannelException();
        positionLock.lock();
        try {
            if (direct()) BufferIo.checkChannelPositionAligned(position(), alignment);
            return (int) readAt(dst, -1);
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        Objects.requireNonNull(dst);
        if (position < 0) throw new IllegalArgumentException("Negative position");
        ensureOpen();
        if (!readable) throw new NonReadableChannelException();
        if (direct()) BufferIo.checkChannelPositionAligned(position, alignment);
        return (int) readAt(dst, position);
    }

    private long readAt(ByteBuffer dst, long position) throws IOException {
        long n = 0;
        try {
            beginBlocking();
            if (!inFlight.enter()) return 0;
            try {
                n = BufferIo.read(io, fd, dst, position, alignment, readPath(), this);
            } finally {
                inFlight.exit();
            }
            if (BufferIo.failed(n)) failed(n);
            return n;
        } finally {
            endBlocking(n > 0);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureOpen();
        if (!readable) throw new NonReadableChannelException();
        positionLock.lock();
        try {
            if (direct()) BufferIo.checkChannelPositionAligned(position(), alignment);
            long n = 0;
            try {
                beginBlocking();
                if (!inFlight.enter()) return 0;
                try {
                    n = BufferIo.read(io, fd, dsts, offset, length, -1, alignment, readPath(), this);
                } finally {
                    inFlight.exit();
                }
                if (BufferIo.failed(n)) failed(n);
                return n;
            } finally {
                endBlocking(n > 0);
            }
        } finally {
            positionLock.unlock();
        }
    }

    // ---- write ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (!writable) throw new NonWritableChannelException();
        positionLock.lock();
        try {
            if (direct()) BufferIo.checkChannelPositionAligned(position(), alignment);
            return (int) writeAt(src, -1);
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        Objects.requireNonNull(src);
        if (position < 0) throw new IllegalArgumentException("Negative position");
        ensureOpen();
        if (!writable) throw new NonWritableChannelException();
        if (direct()) BufferIo.checkChannelPositionAligned(position, alignment);
        return (int) writeAt(src, position);
    }

    private long writeAt(ByteBuffer src, long position) throws IOException {
        long n = 0;
        try {
            beginBlocking();
            if (!inFlight.enter()) return 0;
            try {
                n = BufferIo.write(io, fd, src, position, alignment, writePath(), this);
                // A ring write to a FIFO or device takes what fits now; write(2) on a blocking
                // descriptor, as the JDK makes it, goes on until everything is written (or
                // something fails after progress, which then counts as a short write).
                while (n > 0 && src.hasRemaining() && !regular() && isOpen()) {
                    long m = BufferIo.write(io, fd, src, position < 0 ? -1 : position + n, alignment, BufferIo.RING_ONLY, this);
                    if (m <= 0) break;
                    n += m;
                }
            } finally {
                inFlight.exit();
            }
            if (BufferIo.failed(n)) failed(n);
            return n;
        } finally {
            endBlocking(n > 0);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        if (!writable) throw new NonWritableChannelException();
        positionLock.lock();
        try {
            if (direct()) BufferIo.checkChannelPositionAligned(position(), alignment);
            long n = 0;
            try {
                beginBlocking();
                if (!inFlight.enter()) return 0;
                try {
                    n = BufferIo.write(io, fd, srcs, offset, length, -1, alignment, writePath(), this);
                    while (n > 0 && !regular() && isOpen() && hasRemaining(srcs, offset, length)) { // as in writeAt
                        long m = BufferIo.write(io, fd, srcs, offset, length, -1, alignment, BufferIo.RING_ONLY, this);
                        if (m <= 0) break;
                        n += m;
                    }
                } finally {
                    inFlight.exit();
                }
                if (BufferIo.failed(n)) failed(n);
                return n;
            } finally {
                endBlocking(n > 0);
            }
        } finally {
            positionLock.unlock();
        }
    }

    // ---- position, size, truncate, force ----

    @Override
    public long position() throws IOException {
        ensureOpen();
        positionLock.lock();
        try {
            long p = -1;
            try {
                beginBlocking();
                if (!inFlight.enter()) return 0;
                try {
                    // in append mode the position is the end, where the next write goes
                    p = append ? FileOps.size(fd) : FileOps.seek(fd, 0, FileOps.SEEK_CUR);
                } finally {
                    inFlight.exit();
                }
                if (p < 0) failed(BufferIo.FAILED + p);
                return p;
            } finally {
                endBlocking(p > -1);
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) throw new IllegalArgumentException();
        positionLock.lock();
        try {
            long p = -1;
            try {
                beginBlocking();
                if (!inFlight.enter()) return null;
                try {
                    p = FileOps.seek(fd, newPosition, FileOps.SEEK_SET);
                } finally {
                    inFlight.exit();
                }
                if (p < 0) failed(BufferIo.FAILED + p);
                return this;
            } finally {
                endBlocking(p > -1);
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        positionLock.lock();
        try {
            long s = -1;
            try {
                beginBlocking();
                if (!inFlight.enter()) return -1;
                try {
                    s = FileOps.size(fd);
                } finally {
                    inFlight.exit();
                }
                if (s < 0) failed(BufferIo.FAILED + s);
                return s;
            } finally {
                endBlocking(s > -1);
            }
        } finally {
            positionLock.unlock();
        }
    }

    /**
     * Whether the file is something other than a regular file, a directory or a symbolic link (a
     * FIFO, a device, a socket), as the JDK's channel tells its streams, which then read rather
     * than seek: {@link UringInputStream}.
     */
    boolean isOther() throws IOException {
        ensureOpen();
        if (kind == REGULAR) return false;
        if (!inFlight.enter()) throw new ClosedChannelException();
        int type;
        try {
            type = Io.fileType(fd);
        } finally {
            inFlight.exit();
        }
        if (type < 0) throw Errno.toIOException(-type);
        kind = type == LinuxAbi.S_IFREG ? REGULAR : OTHER;
        return type != LinuxAbi.S_IFREG && type != LinuxAbi.S_IFDIR && type != LinuxAbi.S_IFLNK;
    }

    /** The estimate of {@link UringInputStream#available()}: {@link FileOps#available}. */
    int available() throws IOException {
        ensureOpen();
        positionLock.lock();
        try {
            int a = -1;
            try {
                beginBlocking();
                if (!inFlight.enter()) return -1;
                try {
                    a = FileOps.available(fd);
                } finally {
                    inFlight.exit();
                }
                return a;
            } finally {
                endBlocking(a > -1);
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public FileChannel truncate(long newSize) throws IOException {
        ensureOpen();
        if (newSize < 0) throw new IllegalArgumentException("Negative size");
        if (!writable) throw new NonWritableChannelException();
        positionLock.lock();
        try {
            int rv = -1;
            try {
                beginBlocking();
                if (!inFlight.enter()) return null;
                try {
                    long size = FileOps.size(fd);
                    if (size < 0) throw Errno.toIOException((int) -size);
                    long p = FileOps.seek(fd, 0, FileOps.SEEK_CUR);
                    if (p < 0) throw Errno.toIOException((int) -p);
                    // the JDK only ever shrinks here; a larger size leaves the file alone
                    if (newSize < size) {
                        int r = io.ftruncate(fd, newSize);
                        if (r < 0) {
                            failed(BufferIo.FAILED + r);
                            return null;
                        }
                    }
                    long rp = FileOps.seek(fd, Math.min(p, newSize), FileOps.SEEK_SET);
                    if (rp < 0) throw Errno.toIOException((int) -rp);
                    rv = 0;
                } finally {
                    inFlight.exit();
                }
                return this;
            } finally {
                endBlocking(rv > -1);
            }
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        int rv = -1;
        try {
            beginBlocking();
            if (!inFlight.enter()) return;
            try {
                do {
                    rv = io.fsync(fd, metaData);
                } while (rv == -Errno.EINTR && isOpen()); // as the JDK's force
            } finally {
                inFlight.exit();
            }
            if (rv < 0) failed(BufferIo.FAILED + rv);
        } finally {
            endBlocking(rv > -1);
        }
    }

    // ---- transfers ----

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        ensureOpen();
        if (!target.isOpen()) throw new ClosedChannelException();
        if (!readable) throw new NonReadableChannelException();
        if (target instanceof UringFileChannel u && !u.writable) throw new NonWritableChannelException();
        if (position < 0 || count < 0) throw new IllegalArgumentException();
        try {
            long sz = size();
            if (position > sz) return 0;
            // files advertising size 0 (such as /proc) take the copy loop, like the JDK
            if (sz > 0) {
                count = Math.min(count, sz - position);
                if (target instanceof UringFileChannel u && !u.append) {
                    long n = spliceOnRing(this, u) ? spliceRange(this, position, u, -1, count) : -1;
                    if (n < 0) n = copyRange(this, position, u, -1, count, false);
                    // copy_file_range refuses overlapping ranges of one file; the JDK then uses
                    // sendfile, whose pipe holds the file's own pages, so a target ahead of its
                    // source re-reads what was just written there: the same call, the same bytes
                    // (and where sendfile refuses too, the same mapping: see transferToMapped)
                    if (n < 0 && fileKey().equals(u.fileKey())) {
                        n = copyRange(this, position, u, -1, count, true);
                        if (n < 0) n = transferToMapped(position, count, u);
                    }
                    if (n >= 0) return n;
                }
            }
            return transferToArbitraryChannel(position, count, target);
        } catch (ClosedChannelException e) {
            throw transferFailed(e, target);
        }
    }

    private long transferToArbitraryChannel(long position, long count, WritableByteChannel target) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate((int) Math.min(count, TRANSFER_SIZE));
        long tw = 0, pos = position;
        try {
            while (tw < count) {
                bb.limit((int) Math.min(count - tw, TRANSFER_SIZE));
                int nr = read(bb, pos);
                if (nr <= 0) break;
                bb.flip();
                int nw = target.write(bb);
                tw += nw;
                if (nw != nr) break;
                pos += nw;
                bb.clear();
            }
            return tw;
        } catch (IOException x) {
            if (tw > 0) return tw;
            throw x;
        }
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        ensureOpen();
        if (!src.isOpen()) throw new ClosedChannelException();
        if (src instanceof UringFileChannel u && !u.readable) throw new NonReadableChannelException();
        if (!writable) throw new NonWritableChannelException();
        if (position < 0 || count < 0) throw new IllegalArgumentException();
        try {
            if (src instanceof UringFileChannel u && !append && u.size() > 0) {
                long n = spliceOnRing(u, this) ? spliceRange(u, -1, this, position, count) : -1;
                if (n < 0) n = copyRange(u, -1, this, position, count, false);
                // copy_file_range refuses overlapping ranges of one file: see transferFromMapped
                if (n < 0 && fileKey().equals(u.fileKey())) n = transferFromMapped(u, position, count);
                if (n >= 0) return n;
            }
            return transferFromArbitraryChannel(src, position, count);
        } catch (ClosedChannelException e) {
            throw transferFailed(e, src);
        }
    }

    /**
     * As the JDK: a transfer cut short by an interrupt closes both channels and throws
     * {@link ClosedByInterruptException}; one cut short by another thread closing either channel
     * throws {@link AsynchronousCloseException}.
     */
    private AsynchronousCloseException transferFailed(ClosedChannelException cce, java.nio.channels.Channel other) {
        ClosedByInterruptException cbie = null;
        if (cce instanceof ClosedByInterruptException e) {
            cbie = e;
        } else if (!uninterruptible && Thread.currentThread().isInterrupted()) {
            cbie = new ClosedByInterruptException();
        }
        if (cbie != null) {
            try {
                close();
            } catch (IOException e) {
                cbie.addSuppressed(e);
            }
            try {
                other.close();
            } catch (IOException e) {
                cbie.addSuppressed(e);
            }
            return cbie;
        }
        if (cce instanceof AsynchronousCloseException ace) return ace;
        AsynchronousCloseException ace = new AsynchronousCloseException();
        ace.addSuppressed(cce);
        return ace;
    }

    private long transferFromArbitraryChannel(ReadableByteChannel src, long position, long count) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate((int) Math.min(count, TRANSFER_SIZE));
        long tw = 0, pos = position;
        try {
            while (tw < count) {
                bb.limit((int) Math.min(count - tw, TRANSFER_SIZE));
                int nr = src.read(bb);
                if (nr <= 0) break;
                bb.flip();
                int nw = write(bb, pos);
                tw += nw;
                if (nw != nr) break;
                pos += nw;
                bb.clear();
            }
            return tw;
        } catch (IOException x) {
            if (tw > 0) return tw;
            throw x;
        }
    }

    /**
     * copy_file_range between two uring channels, or with {@code sendfile} sendfile (which writes
     * at {@code out}'s position: {@code outPos} is then -1); an offset of -1 means that channel's
     * file position (which the kernel then advances). Runs as an op of this channel
     * (interruptible, counted) and of the other one (counted). Returns -1 when the kernel cannot
     * do this pair (different file systems, overlapping ranges of one file for copy_file_range,
     * O_DIRECT ranges sendfile cannot splice, no support): the caller uses another way.
     */
    private long copyRange(UringFileChannel in, long inPos, UringFileChannel out, long outPos, long count,
                           boolean sendfile) throws IOException {
        UringFileChannel other = in == this ? out : in;
        long n = 0;
        boolean completed = false;
        try {
            beginBlocking();
            if (!inFlight.enter()) return 0;
            try {
                if (other != this && !other.inFlight.enter()) throw new AsynchronousCloseException();
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment offIn = inPos < 0 ? MemorySegment.NULL : a.allocateFrom(ValueLayout.JAVA_LONG, inPos);
                    MemorySegment offOut = outPos < 0 ? MemorySegment.NULL : a.allocateFrom(ValueLayout.JAVA_LONG, outPos);
                    do {
                        n = sendfile ? Syscalls.sendfile(out.fd, in.fd, offIn, Math.min(count, MAX_TRANSFER))
                                     : Syscalls.copyFileRange(in.fd, offIn, out.fd, offOut, Math.min(count, Integer.MAX_VALUE), 0);
                    } while (n == -Errno.EINTR);
                } finally {
                    if (other != this) other.inFlight.exit();
                }
            } finally {
                inFlight.exit();
            }
            if (n < 0) {
                int e = (int) -n;
                if (e == Errno.EXDEV || e == Errno.EINVAL || e == Errno.ENOSYS || e == Errno.EOPNOTSUPP
                        || e == Errno.EBADF) {
                    completed = true;
                    return -1;
                }
                failed(BufferIo.FAILED + n);
                return 0;
            }
            completed = true;
            return n;
        } finally {
            endBlocking(completed);
        }
    }

    /** The most one transfer moves, as the JDK's (and the kernel's MAX_RW_COUNT for one copy_file_range). */
    private static final long MAX_TRANSFER = Integer.MAX_VALUE & ~4095L;

    /** Transfers within one file of fewer bytes than this take the copy loop, not a mapping, as the JDK's. */
    private static final long MAPPED_MIN = 16 << 10;
    /** The most a transfer within one file maps at once, as the JDK's. */
    private static final long MAPPED_CHUNK = 8 << 20;

    /**
     * transferTo within one file once copy_file_range (overlapping ranges) and sendfile (with
     * O_DIRECT, ranges it cannot read aligned) have refused: the JDK then has the target write a
     * read-only mapping of this file, {@value #MAPPED_CHUNK} bytes at a time, from
     * {@value #MAPPED_MIN} bytes on, and that is what decides the outcome (the target's own
     * O_DIRECT checks, a failure after progress returning the bytes moved).
     *
     * @return bytes moved, or -1 for fewer than {@value #MAPPED_MIN} bytes: the copy loop
     */
    private long transferToMapped(long position, long count, UringFileChannel target) throws IOException {
        if (count < MAPPED_MIN) return -1;
        long remaining = count;
        while (remaining > 0) {
            // a confined arena unmaps each chunk at once, as the JDK does, rather than at GC
            try (Arena chunk = Arena.ofConfined()) {
                ByteBuffer mapped = map(MapMode.READ_ONLY, position, Math.min(remaining, MAPPED_CHUNK), chunk).asByteBuffer();
                int n = target.write(mapped);
                remaining -= n;
                position += n;
            } catch (IOException e) {
                if (remaining == count) throw e;
                break;
            }
        }
        return count - remaining;
    }

    /**
     * transferFrom within one file once copy_file_range has refused overlapping ranges: as the
     * JDK, from {@value #MAPPED_MIN} requested bytes on, this channel writes a read-only mapping of
     * the source from its position, {@value #MAPPED_CHUNK} bytes at a time, under the source's
     * position lock, then advances that position by the bytes written. The kernel copies from the
     * mapping, which shows the file's own pages, so with the target ahead of the source it reads
     * again, further on, bytes this very write has put there, where a copy loop would copy each
     * chunk as it was; the JDK's bytes are the ones to match. (Less than a cache line ahead, the
     * outcome also depends on how the CPU copies, and differs from run to run with the JDK too.)
     *
     * @return bytes moved, or -1 for fewer than {@value #MAPPED_MIN} requested bytes: the copy loop
     */
    private long transferFromMapped(UringFileChannel src, long position, long count) throws IOException {
        if (count < MAPPED_MIN) return -1;
        src.positionLock.lock();
        try {
            long from = src.position();
            long max = Math.min(count, src.size() - from), remaining = max;
            while (remaining > 0) {
                try (Arena chunk = Arena.ofConfined()) { // as in transferToMapped
                    // outside the try below: a failed mapping is thrown even after progress, as the JDK's
                    ByteBuffer mapped = src.map(MapMode.READ_ONLY, from, Math.min(remaining, MAPPED_CHUNK), chunk).asByteBuffer();
                    int n;
                    try {
                        n = write(mapped, position);
                    } catch (IOException e) {
                        if (remaining == max) throw e;
                        break;
                    }
                    from += n;
                    position += n;
                    remaining -= n;
                }
            }
            src.position(from);
            return max - remaining;
        } finally {
            src.positionLock.unlock();
        }
    }

    /**
     * Whether a transfer between two uring channels goes through ring splices: on a virtual
     * thread, whose carrier a plain copy_file_range would block for as long as the disk takes
     * (io_uring has no copy_file_range opcode), when the kernel has IORING_OP_SPLICE. Platform
     * threads block either way and keep copy_file_range, which can also reflink. Not for O_DIRECT
     * or non-regular files (splice's page-cache path does not fit them), nor within one file,
     * where overlapping ranges must come out as the JDK's sendfile, mapping or copy loop leaves
     * them once copy_file_range has refused them (see {@link #transferFromMapped}).
     *
     * <p>Measured here (ext4 on a virtio disk, 2 cores; 256 MiB, one virtual thread, a fresh
     * target file, median of 3): page cache hot, transferTo 235 ms with ring splices vs 337 ms
     * with copy_file_range, transferFrom 176 vs 222 ms; source evicted (fadvise DONTNEED), transferTo
     * 331 vs 380 ms, transferFrom 296 vs 398 ms. So the splices cost no throughput, and the carrier
     * is free meanwhile instead of pinned for the whole copy.
     */
    private static boolean spliceOnRing(UringFileChannel in, UringFileChannel out) throws IOException {
        return Thread.currentThread().isVirtual() && in.io.splicesOnRing() && !in.direct() && !out.direct()
                && in.regular() && out.regular() && !in.fileKey().equals(out.fileKey());
    }

    /**
     * Moves up to {@code count} bytes from {@code in} to {@code out} with pairs of ring splices
     * through a {@link SplicePipe}: file to pipe (at most the pipe's size), then pipe to file until
     * the pipe is empty. The waits park the virtual thread; the kernel does the copying on its
     * io-wq workers.
     *
     * <p>Positions as copy_file_range moves them for the JDK: one of {@code inPos}/{@code outPos}
     * is this channel's explicit offset (its position does not move), the other is -1, meaning
     * the other channel's position, which advances by the bytes moved (transferTo: the target's;
     * transferFrom: the source's). That position is read and set under the other channel's
     * position lock, so its relative ops cannot interleave; the kernel gets explicit offsets, so a
     * failed second splice never leaves a position past the bytes actually written.
     *
     * <p>Interrupts and close as the other ops: an op of this channel (interruptible) and of the
     * other (counted, so closing it waits for the splice in flight); closing either channel
     * cancels the splice writing to it, and the loop stops before the next splice. A transfer cut
     * short that way throws ({@link ClosedByInterruptException} or {@link AsynchronousCloseException}),
     * even if some bytes moved. An error after some bytes moved returns their number, as
     * copy_file_range does.
     *
     * @return bytes moved, or -1 when the kernel refuses the pair before any byte moved (or no
     *         pipe can be made): the caller uses another way
     */
    private long spliceRange(UringFileChannel in, long inPos, UringFileChannel out, long outPos, long count)
            throws IOException {
        UringFileChannel other = in == this ? out : in;
        count = Math.min(count, MAX_TRANSFER);
        long moved = 0;
        boolean completed = false;
        try {
            beginBlocking();
            if (!inFlight.enter()) return 0;
            try {
                if (!other.inFlight.enter()) throw new AsynchronousCloseException();
                other.positionLock.lock();
                try {
                    long otherPos = FileOps.seek(other.fd, 0, FileOps.SEEK_CUR);
                    if (otherPos < 0) throw Errno.toIOException((int) -otherPos);
                    long inOff = inPos < 0 ? otherPos : inPos;
                    long outOff = outPos < 0 ? otherPos : outPos;
                    long r = 0;
                    boolean atEnd = false; // the source's end reached: not the same as no splice made
                    try (SplicePipe pipe = SplicePipe.open()) {
                        if (pipe == null) {
                            completed = true;
                            return -1;
                        }
                        while (moved < count && in.isOpen() && out.isOpen()) {
                            do {
                                r = io.splice(in.fd, inOff + moved, pipe.writeFd, -1, (int) Math.min(count - moved, pipe.size));
                            } while (r == -Errno.EINTR && in.isOpen() && out.isOpen());
                            if (r <= 0) {
                                atEnd = r == 0;
                                break;
                            }
                            // drain exactly what went in, so the pipe is empty before the next pair
                            for (long left = r; left > 0; ) {
                                long w;
                                do {
                                    w = io.splice(pipe.readFd, -1, out.fd, outOff + moved, (int) left);
                                } while (w == -Errno.EINTR && in.isOpen() && out.isOpen());
                                if (w <= 0) {
                                    r = w == 0 ? -Errno.EIO : w;
                                    break;
                                }
                                moved += w;
                                left -= w;
                            }
                            if (r < 0) break;
                        }
                    } finally {
                        if (moved > 0 && other.isOpen()) FileOps.seek(other.fd, otherPos + moved, FileOps.SEEK_SET);
                    }
                    boolean cut = !in.isOpen() || !out.isOpen();
                    if (!cut && r < 0) {
                        int e = (int) -r;
                        if (moved == 0 && (e == Errno.EINVAL || e == Errno.ENOSYS || e == Errno.EOPNOTSUPP || e == Errno.EXDEV)) {
                            completed = true;
                            return -1;
                        }
                        if (moved == 0) throw Errno.toIOException(e);
                    }
                    // done: all of count, end of file, or an error after progress; not: a channel closed under it
                    completed = !cut || moved == count || atEnd;
                    if (!completed && !other.isOpen() && isOpen()) throw new AsynchronousCloseException();
                    return moved;
                } finally {
                    other.positionLock.unlock();
                    other.inFlight.exit();
                }
            } finally {
                inFlight.exit();
            }
        } finally {
            endBlocking(completed);
        }
    }

    // ---- mapping ----

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("Size exceeds Integer.MAX_VALUE");
        Objects.requireNonNull(mode, "Mode is null");
        try (FileChannel jdk = prepareMapping(mode, position, size)) {
            return jdk.map(mode, position, size);
        }
    }

    @Override
    public MemorySegment map(MapMode mode, long offset, long size, Arena arena) throws IOException {
        Objects.requireNonNull(mode, "Mode is null");
        Objects.requireNonNull(arena, "Arena is null");
        if (!arena.scope().isAlive()) throw new IllegalStateException("Already closed");
        if (offset < 0) throw new IllegalArgumentException("Requested bytes offset must be >= 0.");
        if (size < 0) throw new IllegalArgumentException("Requested bytes size must be >= 0.");
        try (FileChannel jdk = prepareMapping(mode, offset, size)) {
            return jdk.map(mode, offset, size, arena);
        }
    }

    /** The JDK's checks and file extension, then a JDK channel on this very file to map with. */
    private FileChannel prepareMapping(MapMode mode, long position, long size) throws IOException {
        ensureOpen();
        if (position < 0L) throw new IllegalArgumentException("Negative position");
        if (size < 0L) throw new IllegalArgumentException("Negative size");
        if (position + size < 0) throw new IllegalArgumentException("Position + size overflow");
        String name = mode.toString();
        boolean readOnly = mode == MapMode.READ_ONLY || name.equals("READ_ONLY_SYNC");
        boolean known = readOnly || mode == MapMode.READ_WRITE || mode == MapMode.PRIVATE || name.equals("READ_WRITE_SYNC");
        if (!known) throw new UnsupportedOperationException();
        if (!readOnly && !writable) throw new NonWritableChannelException();
        if (!readable) throw new NonReadableChannelException();
        boolean completed = false;
        try {
            beginBlocking();
            if (!inFlight.enter()) return null;
            try {
                positionLock.lock();
                try {
                    long filesize = FileOps.size(fd);
                    if (filesize < 0) throw Errno.toIOException((int) -filesize);
                    if (filesize < position + size) {
                        if (!writable) {
                            throw new IOException("Channel not open for writing - cannot extend file to required size");
                        }
                        int r = io.ftruncate(fd, position + size);
                        if (r < 0) throw Errno.toIOException(-r);
                    }
                } finally {
                    positionLock.unlock();
                }
                // through the JDK's own provider, never uringfs: as the default provider, uringfs
                // would answer with a uring channel, whose map would come here again
                FileSystemProvider builtIn = BuiltInProvider.get();
                Path self = builtIn.getPath(URI.create("file:///proc/self/fd/" + fd));
                // the JDK demands a writable channel for PRIVATE too (checked above on this one)
                FileChannel jdk = builtIn.newFileChannel(self, readOnly ? MAP_READ : MAP_READ_WRITE);
                completed = true;
                return jdk;
            } finally {
                inFlight.exit();
            }
        } finally {
            endBlocking(completed);
        }
    }

    // ---- locks ----

    private FileKey fileKey() throws IOException {
        FileKey k = fileKey;
        if (k == null) {
            if (!inFlight.enter()) throw new ClosedChannelException();
            try {
                fileKey = k = FileOps.key(fd);
            } finally {
                inFlight.exit();
            }
        }
        return k;
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        ensureOpen();
        if (shared && !readable) throw new NonReadableChannelException();
        if (!shared && !writable) throw new NonWritableChannelException();
        if (size == 0) size = Long.MAX_VALUE - Math.max(0, position);
        UringFileLock fl = new UringFileLock(this, position, size, shared);
        FileKey key = fileKey();
        LockTable.add(key, fl);
        boolean completed = false;
        try {
            beginBlocking();
            if (!inFlight.enter()) return null;
            try {
                long backoff = LOCK_BACKOFF_MIN;
                while (isOpen()) {
                    int r = FileOps.lock(fd, shared ? FileOps.F_RDLCK : FileOps.F_WRLCK, position, size);
                    if (r == 0) {
                        // closed meanwhile: the close may have missed the table entry, so this
                        // thread takes it out (the kernel lock goes with the descriptor)
                        completed = isOpen();
                        break;
                    }
                    if (!isOpen()) break;
                    if (r != -Errno.EAGAIN && r != -Errno.EACCES) throw Errno.toIOException(-r);
                    LockSupport.parkNanos(this, backoff);
                    backoff = Math.min(backoff * 2, LOCK_BACKOFF_MAX);
                }
            } finally {
                inFlight.exit();
            }
            return fl;
        } finally {
            if (!completed) LockTable.remove(key, fl);
            try {
                endBlocking(completed);
            } catch (ClosedByInterruptException e) {
                throw new FileLockInterruptionException();
            }
        }
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        ensureOpen();
        if (shared && !readable) throw new NonReadableChannelException();
        if (!shared && !writable) throw new NonWritableChannelException();
        if (size == 0) size = Long.MAX_VALUE - Math.max(0, position);
        UringFileLock fl = new UringFileLock(this, position, size, shared);
        FileKey key = fileKey();
        LockTable.add(key, fl);
        boolean got = false;
        try {
            int r;
            if (!inFlight.enter()) throw new ClosedChannelException();
            try {
                ensureOpen(); // as the JDK's, after the table entry (see implCloseChannel)
                r = FileOps.lock(fd, shared ? FileOps.F_RDLCK : FileOps.F_WRLCK, position, size);
            } finally {
                inFlight.exit();
            }
            if (!isOpen()) throw new AsynchronousCloseException();
            if (r == 0) {
                got = true;
                return fl;
            }
            if (r == -Errno.EAGAIN || r == -Errno.EACCES) return null;
            throw Errno.toIOException(-r);
        } finally {
            if (!got) LockTable.remove(key, fl);
        }
    }

    @Override
    public void release(UringFileLock lock) throws IOException {
        if (!inFlight.enter()) throw new ClosedChannelException();
        try {
            int r = FileOps.lock(fd, FileOps.F_UNLCK, lock.position(), lock.size());
            if (r < 0) throw Errno.toIOException(-r);
        } finally {
            inFlight.exit();
        }
        LockTable.remove(fileKey, lock);
    }

    // ---- close ----

    /**
     * Releases this channel's locks, then closes the descriptor once no op is left on it.
     *
     * <p>Close and lock registration cannot miss each other, as in the JDK: a locking thread
     * records the file key and adds its lock to the {@link LockTable} before it reads
     * {@code isOpen()} (and reads it again after the kernel granted the lock), while close
     * marks the channel closed before it reads the key and takes the channel's locks out of the
     * table (all volatile or monitor accesses). So either the locking thread sees the channel
     * closed and takes its own entry out, or this close sees the key and the entry. A lock
     * granted by the kernel after this release needs no undoing: it goes with the descriptor.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        FileOps.releaseLocksAndClose(this, fd, fileKey, io, inFlight);
    }
}
