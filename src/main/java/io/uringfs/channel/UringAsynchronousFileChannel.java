package io.uringfs.channel;

import io.uringfs.engine.Completion;
import io.uringfs.engine.Engine;
import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;
import io.uringfs.engine.Op;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * An {@link AsynchronousFileChannel} whose reads and writes are io_uring ops submitted straight
 * from the calling thread ({@link Engine#submitAsync}); no thread waits for an op.
 *
 * <h2>Where code runs</h2>
 * When an op's CQE arrives, the engine hands its completion to {@link VirtualWorkers#SHARED},
 * virtual threads that are created as needed and reused (never the ring's completion thread).
 * There the op is settled: a heap buffer's bytes are copied back, the native block is freed, the
 * op leaves the in-flight count and a {@link Future} is completed. A {@link CompletionHandler}
 * runs on the executor given to {@code AsynchronousFileChannel.open}, or, without one, right there
 * on the pool's virtual thread (the documented default: one hop, no thread per op). Handlers
 * therefore never run on the completion thread, and a slow handler cannot stall the ring. Without
 * an engine (fallback mode) each op runs as a plain system call on the pool, and so does every
 * wait for a lock: work that counts as in flight never runs on the executor, so a handler may
 * block or close the channel without waiting for work queued behind it, and a pending op holds
 * none of the executor's threads.
 *
 * <h2>A shut-down executor</h2>
 * The JDK's channel runs each read, write and lock as a task on the executor: once that is shut
 * down, these calls (Future and handler forms) throw {@link RejectedExecutionException} and do
 * nothing, and a handler it calls at once through the executor (closed channel, empty buffer) is
 * refused with {@link ShutdownChannelGroupException}. uringfs gives the same outcomes by asking
 * {@link ExecutorService#isShutdown} before an op starts, which costs no thread hop. Other
 * rejections (a saturated bounded pool) are not foreseen: a handler called at once is refused
 * with {@code ShutdownChannelGroupException} as in the JDK, but the op starts (the JDK's is
 * refused), and its handler, if refused, runs on the pool. So does the handler of an op whose
 * executor is shut down while it is pending (the JDK runs its accepted task, or after
 * {@code shutdownNow} may drop it): a started op's completion is never lost, and the op has left
 * the channel by then, so {@code close} never waits for it.
 *
 * <p>A direct buffer is handed to the kernel by address and kept reachable until the CQE, but a
 * buffer that views a closeable arena's memory does not keep the arena open: closing it while the
 * op is pending frees memory the kernel may still use (see {@link UringFileChannel}, "I/O path").
 *
 * <h2>Allocation</h2>
 * An op's state travels in a pooled {@link Request}, which is also the engine's callback and the
 * executor's task; in steady state a read or write allocates only what the API demands (the
 * {@link Future}, or the boxed result a handler receives) and what the executor's queue does.
 *
 * <h2>Close</h2>
 * {@link #close()} stops new ops, cancels the descriptor's ops in the ring and waits until every
 * pending op has seen its CQE and freed its memory; ops that did not complete end with
 * {@link AsynchronousCloseException}. Only then is the descriptor closed. A handler may call
 * {@code close()}: completions never wait for the handler's executor.
 *
 * <p>Semantics (argument checks, results for an empty buffer or a closed channel, locking) follow
 * the JDK's {@code SimpleAsynchronousFileChannelImpl}. Its reads and writes are {@code pread}/
 * {@code pwrite}, which fail with {@code ESPIPE} ("Illegal seek") on a FIFO or other stream;
 * a ring op would ignore the offset instead (and a write to a pipe would take only what fits),
 * so on a descriptor that cannot seek, reads and writes fail as the JDK's do without reaching
 * the ring.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class UringAsynchronousFileChannel extends AsynchronousFileChannel implements UringFileLock.Owner {
    /** Where ring completions are settled and, without a given executor, handlers run. */
    private static final Executor POOL = VirtualWorkers.SHARED;
    private static final long LOCK_BACKOFF_MIN = 100_000L, LOCK_BACKOFF_MAX = 20_000_000L;

    private final Io io;
    private final int fd;
    private final boolean reading, writing;
    private final ExecutorService executor;
    private final InFlight inFlight = new InFlight();
    private final Object closeLock = new Object();
    private volatile boolean closed;
    private volatile FileKey fileKey;
    /** Whether the descriptor has positions: 0 not yet asked, else {@link #SEEKABLE} or {@link #STREAM}. */
    private volatile int seekable;
    private static final int SEEKABLE = 1, STREAM = 2;

    UringAsynchronousFileChannel(Io io, int fd, boolean reading, boolean writing, ExecutorService executor) {
        this.io = io;
        this.fd = fd;
        this.reading = reading;
        this.writing = writing;
        this.executor = executor;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    // ---- read / write ----

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        return implIo(true, dst, position, null, null);
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implIo(true, dst, position, attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        return implIo(false, src, position, null, null);
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implIo(false, src, position, attachment, handler);
    }

    private <A> Future<Integer> implIo(boolean read, ByteBuffer buf, long position, A attachment,
                                      CompletionHandler<Integer, ? super A> handler) {
        if (position < 0) throw new IllegalArgumentException("Negative position");
        if (read && !reading) throw new NonReadableChannelException();
        if (!read && !writing) throw new NonWritableChannelException();
        if (read && buf.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
        CompletableFuture<Integer> future = handler == null ? new PendingFuture<>(this) : null;
        if (!isOpen() || buf.remaining() == 0 || !inFlight.enter()) {
            Throwable exc = isOpen() ? null : new ClosedChannelException();
            finish(future, handler, attachment, 0, exc, false);
            return future;
        }
        if (executorShutDown()) {
            inFlight.exit();
            throw new RejectedExecutionException("Executor is shut down");
        }
        Engine engine = io.engine();
        if (engine != null && !seekable()) {
            inFlight.exit();
            finish(future, handler, attachment, 0, Errno.toIOException(Errno.ESPIPE), false);
            return future;
        }
        @SuppressWarnings("unchecked")
        CompletionHandler<Integer, Object> h = (CompletionHandler<Integer, Object>) handler;
        Request rq = Request.obtain();
        rq.set(this, read, buf, position, future, h, attachment);
        if (engine == null) {
            rq.plain = true;
            POOL.execute(rq);
            return future;
        }
        int rem = buf.remaining();
        try {
            long addr;
            if (buf.isDirect()) {
                addr = MemorySegment.ofBuffer(buf).address();
            } else {
                rq.block = BufferPool.SHARED.acquire(rem);
                addr = rq.block.address();
                if (!read) MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, rq.block.segment(), 0, rem);
            }
            rq.addr = addr;
            rq.len = rem;
            // the request holds buf, which keeps a direct buffer reachable until the CQE
            rq.submit(engine);
        } catch (RuntimeException | Error e) {
            if (rq.block != null) BufferPool.SHARED.release(rq.block);
            rq.recycle();
            inFlight.exit();
            throw e;
        }
        return future;
    }

    /** Whether pread/pwrite work on the descriptor (lseek does not fail with ESPIPE); asked once. */
    private boolean seekable() {
        int s = seekable;
        if (s == 0) seekable = s = FileOps.seek(fd, 0, FileOps.SEEK_CUR) == -Errno.ESPIPE ? STREAM : SEEKABLE;
        return s == SEEKABLE;
    }

    /**
     * Whether an op must be refused as the JDK's channel refuses it: there the op itself is a task
     * for the executor, which a shut-down executor rejects before anything is done. Asked instead
     * of handing the op to the executor, which would put a thread hop before every op.
     */
    private boolean executorShutDown() {
        return executor != null && executor.isShutdown();
    }

    /**
     * Runs {@code task} on the user's executor, or the pool without one; never loses it: what the
     * executor rejects (a started op's completion, see "A shut-down executor") runs on the pool.
     */
    private void dispatch(Runnable task) {
        Executor ex = executor != null ? executor : POOL;
        try {
            ex.execute(task);
        } catch (RuntimeException e) {
            POOL.execute(task); // a shut-down executor must not lose the completion
        }
    }

    /**
     * One read or write in flight and what its completion needs. Requests are recycled through a
     * small lock-free pool, so an op allocates neither a capturing lambda nor a task object: a
     * request is the engine's completion callback (run on {@link #POOL} after the CQE), the task
     * that makes the system call on the pool in fallback mode, and the task that delivers a
     * handler's result on the channel's executor.
     *
     * <p>Thread safety: owned by one thread at a time (submitter, then completion, then the
     * executor); the hand-offs are the engine's and the executors' happens-before edges.
     */
    private static final class Request implements Completion, Runnable {
        private static final int POOLED = 256, PROBES = 8;
        private static final AtomicReferenceArray<Request> FREE = new AtomicReferenceArray<>(POOLED);

        private UringAsynchronousFileChannel channel;
        private boolean read, plain, delivering;
        private ByteBuffer buf;
        private int pos;
        private long position;
        /** What the op transfers: the direct buffer's memory at its position, or the pooled block's. */
        private long addr;
        private int len;
        private BufferPool.Block block;
        private CompletableFuture<Integer> future;
        private CompletionHandler<Integer, Object> handler;
        private Object attachment;
        private int result;
        private Throwable exc;

        private static int start() {
            long id = Thread.currentThread().threadId();
            return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & (POOLED - 1);
        }

        static Request obtain() {
            for (int p = 0, i = start(); p < PROBES; p++, i = (i + 1) & (POOLED - 1)) {
                if (FREE.getPlain(i) != null) {
                    Request r = FREE.getAndSet(i, null);
                    if (r != null) return r;
                }
            }
            return new Request();
        }

        void set(UringAsynchronousFileChannel channel, boolean read, ByteBuffer buf, long position,
                 CompletableFuture<Integer> future, CompletionHandler<Integer, Object> handler, Object attachment) {
            this.channel = channel;
            this.read = read;
            this.buf = buf;
            this.pos = buf.position();
            this.position = position;
            this.future = future;
            this.handler = handler;
            this.attachment = attachment;
        }

        /** Drops every reference (no buffer or handler kept alive by the pool) and pools this. */
        void recycle() {
            channel = null;
            buf = null;
            block = null;
            future = null;
            handler = null;
            attachment = null;
            exc = null;
            plain = delivering = false;
            for (int p = 0, i = start(); p < PROBES; p++, i = (i + 1) & (POOLED - 1)) {
                if (FREE.getPlain(i) == null && FREE.compareAndSet(i, null, this)) return;
            }
        }

        /** Puts the op on the ring; {@link #completed} runs on {@link #POOL} after its CQE. */
        void submit(Engine engine) {
            Op op = engine.acquire();
            if (read) op.prepRead(channel.fd, addr, len, position);
            else op.prepWrite(channel.fd, addr, len, position);
            engine.submitAsync(op, POOL, this);
        }

        /**
         * After the CQE, on the pool: settle the buffer, free memory, leave, report. An op that
         * reports EINTR or EAGAIN ({@link Io#again}) is submitted again while
         * the channel is open, as the JDK's {@code SimpleAsynchronousFileChannelImpl} repeats EINTR.
         */
        @Override
        public void completed(int res) {
            UringAsynchronousFileChannel ch = channel;
            if (res < 0 && Io.again(res) && ch.isOpen() && resubmitted(ch)) return;
            int n = res;
            Throwable x = null;
            try {
                if (res > 0) {
                    if (read && block != null) {
                        if (buf.hasArray()) {
                            MemorySegment.copy(block.segment(), ValueLayout.JAVA_BYTE, 0, buf.array(), buf.arrayOffset() + pos, res);
                        } else {
                            MemorySegment.copy(block.segment(), 0, MemorySegment.ofBuffer(buf.duplicate().position(pos)), 0, res);
                        }
                    }
                    buf.position(pos + res);
                } else if (res == 0 && read) {
                    n = -1;
                } else if (res < 0) {
                    n = 0;
                    x = !ch.isOpen() ? new AsynchronousCloseException() : Errno.toIOException(-res);
                }
            } finally {
                if (block != null) BufferPool.SHARED.release(block);
                block = null;
                ch.inFlight.exit();
            }
            report(n, x);
        }

        /** On the pool, once the op has left the channel: a handler goes to the executor, if any. */
        private void report(int n, Throwable x) {
            if (handler != null && channel.executor != null) {
                result = n;
                exc = x;
                delivering = true;
                channel.dispatch(this);
            } else {
                deliver(n, x);
            }
        }

        /** Submits the op again; false if the engine is closed (the failure is then reported). */
        private boolean resubmitted(UringAsynchronousFileChannel ch) {
            try {
                submit(ch.io.engine());
                return true;
            } catch (IllegalStateException e) {
                return false;
            }
        }

        /** On the pool, the fallback-mode system call; on the channel's executor, a handler's delivery. */
        @Override
        public void run() {
            if (delivering) {
                deliver(result, exc);
                return;
            }
            UringAsynchronousFileChannel ch = channel;
            int n = 0;
            Throwable x = null;
            try {
                long r = read ? BufferIo.read(ch.io, ch.fd, buf, position, -1, BufferIo.PAGE_CACHE, ch)
                              : BufferIo.write(ch.io, ch.fd, buf, position, -1, BufferIo.PAGE_CACHE, ch);
                if (BufferIo.failed(r)) {
                    x = !ch.isOpen() ? new AsynchronousCloseException() : Errno.toIOException(BufferIo.errno(r));
                } else {
                    n = (int) r;
                }
            } catch (IOException | RuntimeException e) {
                x = e;
            } finally {
                ch.inFlight.exit();
            }
            report(n, x);
        }

        /** Recycles this first (a handler may start the next op with it), then reports. */
        private void deliver(int n, Throwable x) {
            CompletableFuture<Integer> f = future;
            CompletionHandler<Integer, Object> h = handler;
            Object a = attachment;
            recycle();
            complete(f, h, a, n, x);
        }
    }

    /**
     * Completes the future here, or runs the handler on the executor. Without an executor the
     * handler runs on the pool ({@link #POOL}): right here if this thread already is one of the
     * pool's ({@code onPool}), else after a hop there. Off the pool this is the caller's thread,
     * before any op was started: as the JDK's {@code Invoker.invokeIndirectly}, a handler the
     * executor rejects is then the caller's {@link ShutdownChannelGroupException}.
     */
    private <V, A> void finish(CompletableFuture<V> future, CompletionHandler<V, ? super A> handler, A attachment,
                               V value, Throwable exc, boolean onPool) {
        if (handler == null || (onPool && executor == null)) {
            complete(future, handler, attachment, value, exc);
            return;
        }
        Runnable task = () -> complete(null, handler, attachment, value, exc);
        if (onPool || executor == null) {
            dispatch(task);
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw new ShutdownChannelGroupException();
        }
    }

    private static <V, A> void complete(CompletableFuture<V> future, CompletionHandler<V, ? super A> handler,
                                        A attachment, V value, Throwable exc) {
        if (handler == null) {
            if (exc == null) future.complete(value);
            else future.completeExceptionally(exc);
        } else {
            if (exc == null) handler.completed(value, attachment);
            else handler.failed(exc, attachment);
            Thread.interrupted(); // as the JDK: a handler's interrupt must not leak into the next task
        }
    }

    // ---- size, truncate, force ----

    private void begin() throws ClosedChannelException {
        if (!inFlight.enter()) throw new ClosedChannelException();
        if (closed) { // closing has begun: the JDK refuses from that moment
            inFlight.exit();
            throw new ClosedChannelException();
        }
    }

    private void end(boolean completed) throws AsynchronousCloseException {
        inFlight.exit();
        if (!completed && !isOpen()) throw new AsynchronousCloseException();
    }

    @Override
    public long size() throws IOException {
        begin();
        long n = -1;
        try {
            n = FileOps.size(fd);
            if (n < 0 && isOpen()) throw Errno.toIOException((int) -n);
            return n;
        } finally {
            end(n >= 0);
        }
    }

    /**
     * As the JDK's: the result is "completed" only if the file had a size and was not shrunk, so
     * on a closed channel (or one closed meanwhile) this throws {@link AsynchronousCloseException},
     * not the {@link ClosedChannelException} of {@code size} and {@code force}.
     */
    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0L) throw new IllegalArgumentException("Negative size");
        if (!writing) throw new NonWritableChannelException();
        long n = 0;
        boolean entered = false;
        try {
            begin();
            entered = true;
            n = FileOps.size(fd);
            if (n < 0) {
                if (isOpen()) throw Errno.toIOException((int) -n);
                n = 0;
            }
            if (size < n && isOpen()) {
                int r = io.ftruncate(fd, size);
                if (r < 0 && isOpen()) throw Errno.toIOException(-r);
                n = 0;
            }
            return this;
        } finally {
            if (entered) inFlight.exit();
            if (n <= 0 && !isOpen()) throw new AsynchronousCloseException();
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        begin();
        int r = -1;
        try {
            do {
                r = io.fsync(fd, metaData);
            } while (r == -Errno.EINTR && isOpen()); // as the JDK's force
            if (r < 0 && isOpen()) throw Errno.toIOException(-r);
        } finally {
            end(r >= 0);
        }
    }

    // ---- locks ----

    private UringFileLock addLock(long position, long size, boolean shared) throws IOException {
        FileKey key = fileKey;
        if (key == null) fileKey = key = FileOps.key(fd);
        UringFileLock fl = new UringFileLock(this, position, size, shared);
        LockTable.add(key, fl);
        return fl;
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return implLock(position, size, shared, null, null);
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
                         CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implLock(position, size, shared, attachment, handler);
    }

    /**
     * Waits for the lock on a virtual thread of the pool, polling F_OFD_SETLK with back-off (see
     * UringFileChannel); the handler then runs on the executor. Not the executor itself: a waiting
     * lock would hold one of its threads for as long as the other holder keeps the lock, and a
     * handler that closes the channel on a single-thread executor would wait for ever for a lock
     * request queued behind it (close waits until every op has left the channel).
     */
    private <A> Future<FileLock> implLock(long position, long size, boolean shared, A attachment,
                                         CompletionHandler<FileLock, ? super A> handler) {
        if (shared && !reading) throw new NonReadableChannelException();
        if (!shared && !writing) throw new NonWritableChannelException();
        long len = size != 0 ? size : Long.MAX_VALUE - Math.max(0, position);
        CompletableFuture<FileLock> future = handler == null ? new PendingFuture<>(this) : null;
        UringFileLock fl;
        if (!inFlight.enter()) {
            finish(future, handler, attachment, null, new ClosedChannelException(), false);
            return future;
        }
        try {
            fl = addLock(position, len, shared);
        } catch (IOException e) {
            inFlight.exit();
            finish(future, handler, attachment, null, e, false);
            return future;
        } catch (RuntimeException e) {
            inFlight.exit();
            throw e;
        }
        if (executorShutDown()) { // after the lock table, as the JDK: an overlapping lock is reported first
            LockTable.remove(fileKey, fl);
            inFlight.exit();
            throw new RejectedExecutionException("Executor is shut down");
        }
        Runnable task = () -> {
            Throwable exc = null;
            boolean locked = false;
            try {
                long backoff = LOCK_BACKOFF_MIN;
                while (isOpen()) {
                    int r = FileOps.lock(fd, shared ? FileOps.F_RDLCK : FileOps.F_WRLCK, position, len);
                    if (r == 0) {
                        locked = true;
                        break;
                    }
                    if (r != -Errno.EAGAIN && r != -Errno.EACCES) {
                        exc = Errno.toIOException(-r);
                        break;
                    }
                    LockSupport.parkNanos(this, backoff);
                    backoff = Math.min(backoff * 2, LOCK_BACKOFF_MAX);
                }
                if (locked && !isOpen()) locked = false;
                if (!locked && exc == null) exc = new AsynchronousCloseException();
            } finally {
                if (!locked) LockTable.remove(fileKey, fl);
                inFlight.exit();
            }
            finish(future, handler, attachment, locked ? fl : null, exc, true);
        };
        POOL.execute(task);
        return future;
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        if (shared && !reading) throw new NonReadableChannelException();
        if (!shared && !writing) throw new NonWritableChannelException();
        if (size == 0) size = Long.MAX_VALUE - Math.max(0, position);
        begin();
        boolean got = false;
        UringFileLock fl = null;
        try {
            fl = addLock(position, size, shared);
            int r = FileOps.lock(fd, shared ? FileOps.F_RDLCK : FileOps.F_WRLCK, position, size);
            if (r == 0 && isOpen()) {
                got = true;
                return fl;
            }
            if (r == -Errno.EAGAIN || r == -Errno.EACCES) return null;
            if (!isOpen()) throw new AsynchronousCloseException();
            throw Errno.toIOException(-r);
        } finally {
            if (!got && fl != null) LockTable.remove(fileKey, fl);
            inFlight.exit();
        }
    }

    @Override
    public void release(UringFileLock lock) throws IOException {
        begin();
        try {
            int r = FileOps.lock(fd, FileOps.F_UNLCK, lock.position(), lock.size());
            if (r < 0) throw Errno.toIOException(-r);
            LockTable.remove(fileKey, lock);
        } finally {
            inFlight.exit();
        }
    }

    // ---- close ----

    @Override
    public void close() throws IOException {
        synchronized (closeLock) {
            if (closed) return;
            closed = true;
        }
        FileOps.releaseLocksAndClose(this, fd, fileKey, io, inFlight);
    }

    /**
     * The {@link Future} of an op. Cancelling it marks it cancelled; with
     * {@code mayInterruptIfRunning} it also closes the channel, as the JDK's {@code PendingFuture}
     * does, which is the only way to stop a running op.
     */
    private static final class PendingFuture<V> extends CompletableFuture<V> {
        private final UringAsynchronousFileChannel channel;

        PendingFuture(UringAsynchronousFileChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && mayInterruptIfRunning) {
                try {
                    channel.close();
                } catch (IOException ignore) {
                    // the future is cancelled either way
                }
            }
            return cancelled;
        }
    }
}
