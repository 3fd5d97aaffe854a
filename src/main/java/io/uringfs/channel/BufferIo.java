package io.uringfs.channel;

import io.uringfs.engine.Engine;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;

/**
 * Moves bytes between {@link ByteBuffer}s and a file descriptor through {@link Io}, the way the
 * JDK's {@code sun.nio.ch.IOUtil} does: a direct buffer is handed to the kernel by address (and
 * kept reachable until the op has completed); a heap or read-only buffer goes through a pooled
 * native block. Buffer positions are advanced by the bytes transferred only after the op.
 * O_DIRECT alignment is checked with the JDK's messages.
 *
 * <p>A transfer that reports EINTR or EAGAIN is made again while its {@code owner} channel is
 * open (see {@link #again}).
 *
 * <p>Results: bytes transferred, -1 for end of file on reads, or a {@link #failed(long)} value
 * carrying the errno, so that the channel decides between an {@link IOException} and an
 * asynchronous-close exception (a cancelled op on a closed channel).
 *
 * <p>Thread safety: stateless.
 */
final class BufferIo {
    private BufferIo() {}

    /** Most iovecs one readv/writev takes (the kernel's UIO_MAXIOV). */
    static final int IOV_MAX = 1024;

    /** Offset of a failure: results below this are {@code FAILED - errno}. */
    static final long FAILED = -2;

    static boolean failed(long r) {
        return r <= FAILED;
    }

    static int errno(long r) {
        return (int) (FAILED - r);
    }

    private static long fail(long kernelResult) {
        return FAILED + kernelResult; // kernelResult is -errno
    }

    // ---- how a transfer is made ----

    /** A buffered transfer that the page cache may serve: {@link Io} may try it without the ring. */
    static final int PAGE_CACHE = 0;
    /** A transfer that waits for the device (O_DIRECT, O_SYNC/O_DSYNC writes), as {@link Io} decides. */
    static final int DEVICE = 1;
    /**
     * A transfer that can block for ever (a FIFO, a device): always a ring op, on any thread, so
     * that closing the channel can cancel it. {@link Io} makes the transfers of platform threads
     * plain system calls, which nothing could end here.
     */
    static final int RING_ONLY = 2;

    /**
     * Whether a kernel result {@code r} means the transfer is to be made again: {@link Io#again}
     * (EINTR, or EAGAIN on these blocking descriptors) while {@code owner} is open, as the JDK's
     * channels loop on {@code IOStatus.INTERRUPTED}; once it is closed, the failure is reported.
     */
    private static boolean again(long r, Channel owner) {
        return r < 0 && Io.again(r) && owner.isOpen();
    }

    private static long read(Io io, int fd, long addr, int len, long offset, int path, Channel owner) {
        Engine e = io.engine();
        long r;
        do {
            r = path == RING_ONLY && e != null ? e.submitAndAwait(e.acquire().prepRead(fd, addr, len, offset))
                                               : io.read(fd, addr, len, offset, path == PAGE_CACHE, false);
        } while (again(r, owner));
        return r;
    }

    private static long readv(Io io, int fd, MemorySegment iov, int count, long offset, int path, Channel owner) {
        Engine e = io.engine();
        long r;
        do {
            r = path == RING_ONLY && e != null ? e.submitAndAwait(e.acquire().prepReadv(fd, iov, count, offset))
                                               : io.readv(fd, iov, count, offset, path == PAGE_CACHE, false);
        } while (again(r, owner));
        return r;
    }

    private static long write(Io io, int fd, long addr, int len, long offset, int path, Channel owner) {
        Engine e = io.engine();
        long r;
        do {
            r = path == RING_ONLY && e != null ? e.submitAndAwait(e.acquire().prepWrite(fd, addr, len, offset))
                                               : io.write(fd, addr, len, offset, path == PAGE_CACHE, false);
        } while (again(r, owner));
        return r;
    }

    private static long writev(Io io, int fd, MemorySegment iov, int count, long offset, int path, Channel owner) {
        Engine e = io.engine();
        long r;
        do {
            r = path == RING_ONLY && e != null ? e.submitAndAwait(e.acquire().prepWritev(fd, iov, count, offset))
                                               : io.writev(fd, iov, count, offset, path == PAGE_CACHE, false);
        } while (again(r, owner));
        return r;
    }

    // ---- O_DIRECT checks, with the JDK's messages ----

    static void checkChannelPositionAligned(long position, int alignment) throws IOException {
        if (position % alignment != 0) {
            throw new IOException("Channel position (" + position
                    + ") is not a multiple of the block size (" + alignment + ")");
        }
    }

    private static void checkBufferPositionAligned(ByteBuffer bb, int pos, int alignment) throws IOException {
        int off = bb.alignmentOffset(pos, alignment);
        if (off != 0) {
            throw new IOException("Current position of the bytebuffer (" + pos
                    + ") is not a multiple of the block size (" + alignment + "): alignment offset = " + off);
        }
    }

    private static void checkRemainingAligned(int rem, int alignment) throws IOException {
        if (rem % alignment != 0) {
            throw new IOException("Number of remaining bytes (" + rem
                    + ") is not a multiple of the block size (" + alignment + ")");
        }
    }

    private static int remaining(ByteBuffer b) {
        int pos = b.position(), lim = b.limit();
        return pos <= lim ? lim - pos : 0;
    }

    private static long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address(); // already offset by the position
    }

    private static void copyToHeap(MemorySegment from, long fromOffset, ByteBuffer to, int pos, int n) {
        if (to.hasArray()) {
            MemorySegment.copy(from, ValueLayout.JAVA_BYTE, fromOffset, to.array(), to.arrayOffset() + pos, n);
        } else {
            MemorySegment.copy(from, fromOffset, MemorySegment.ofBuffer(to.duplicate().position(pos)), 0, n);
        }
    }

    private static void copyFromHeap(ByteBuffer from, int pos, MemorySegment to, long toOffset, int n) {
        if (from.hasArray()) {
            MemorySegment.copy(from.array(), from.arrayOffset() + pos, to, ValueLayout.JAVA_BYTE, toOffset, n);
        } else { // read-only heap buffer: no array access, but a segment view works
            MemorySegment.copy(MemorySegment.ofBuffer(from.duplicate().position(pos)), 0, to, toOffset, n);
        }
    }

    // ---- single buffer ----

    /**
     * Reads into {@code dst} at {@code offset} (-1: the file position).
     *
     * @param alignment the O_DIRECT block size, or -1
     * @param path {@link #PAGE_CACHE}, {@link #DEVICE} or {@link #RING_ONLY}
     * @return bytes read, -1 at end of file, 0 if {@code dst} has no room, or a {@link #failed} value
     */
    static long read(Io io, int fd, ByteBuffer dst, long offset, int alignment, int path, Channel owner) throws IOException {
        if (dst.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
        boolean direct = alignment > 0;
        int pos = dst.position(), rem = remaining(dst);
        long n;
        if (dst.isDirect()) {
            if (direct) {
                checkBufferPositionAligned(dst, pos, alignment);
                checkRemainingAligned(rem, alignment);
            }
            if (rem == 0) return 0;
            try {
                n = read(io, fd, address(dst), rem, offset, path, owner);
            } finally {
                Reference.reachabilityFence(dst);
            }
            if (n > 0) dst.position(pos + (int) n);
        } else {
            if (direct) checkRemainingAligned(rem, alignment);
            if (rem == 0) return 0;
            BufferPool.Block b = BufferPool.SHARED.acquire(rem);
            try {
                n = read(io, fd, b.address(), rem, offset, path, owner);
                if (n > 0) {
                    copyToHeap(b.segment(), 0, dst, pos, (int) n);
                    dst.position(pos + (int) n);
                }
            } finally {
                BufferPool.SHARED.release(b);
            }
        }
        return n > 0 ? n : n == 0 ? -1 : fail(n);
    }

    /**
     * Writes {@code src}'s remaining bytes at {@code offset} (-1: the file position or, with
     * O_APPEND, the end).
     *
     * @param path {@link #PAGE_CACHE}, {@link #DEVICE} or {@link #RING_ONLY}
     */
    static long write(Io io, int fd, ByteBuffer src, long offset, int alignment, int path, Channel owner) throws IOException {
        boolean direct = alignment > 0;
        int pos = src.position(), rem = remaining(src);
        long n;
        if (src.isDirect()) {
            if (direct) {
                checkBufferPositionAligned(src, pos, alignment);
                checkRemainingAligned(rem, alignment);
            }
            if (rem == 0) return 0;
            try {
                n = write(io, fd, address(src), rem, offset, path, owner);
            } finally {
                Reference.reachabilityFence(src);
            }
        } else {
            if (direct) checkRemainingAligned(rem, alignment);
            if (rem == 0) return 0;
            BufferPool.Block b = BufferPool.SHARED.acquire(rem);
            try {
                copyFromHeap(src, pos, b.segment(), 0, rem);
                n = write(io, fd, b.address(), rem, offset, path, owner);
            } finally {
                BufferPool.SHARED.release(b);
            }
        }
        if (n > 0) src.position(pos + (int) n);
        return n >= 0 ? n : fail(n);
    }

    // ---- scatter/gather ----

    /** Scattering read (readv) into {@code bufs[off..off+len)}; same results as {@link #read}. */
    static long read(Io io, int fd, ByteBuffer[] bufs, int off, int len, long offset, int alignment, int path,
                     Channel owner) throws IOException {
        return vectored(io, fd, bufs, off, len, offset, alignment, true, path, owner);
    }

    /** Gathering write (writev) from {@code bufs[off..off+len)}; {@code path} as for {@link #write}. */
    static long write(Io io, int fd, ByteBuffer[] bufs, int off, int len, long offset, int alignment, int path,
                      Channel owner) throws IOException {
        return vectored(io, fd, bufs, off, len, offset, alignment, false, path, owner);
    }

    private static long vectored(Io io, int fd, ByteBuffer[] bufs, int off, int len, long offset,
                                 int alignment, boolean reading, int path, Channel owner) throws IOException {
        boolean direct = alignment > 0;
        // First pass: validate (the JDK checks each buffer as it goes) and size the bounce area.
        int count = 0;
        long heapBytes = 0, total = 0;
        int end = off;
        for (int i = off; i < off + len && count < IOV_MAX && total < Integer.MAX_VALUE; i++, end = i) {
            ByteBuffer b = bufs[i];
            if (reading && b.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
            int rem = remaining(b);
            if (direct) checkRemainingAligned(rem, alignment);
            if (rem == 0) continue;
            rem = (int) Math.min(rem, Integer.MAX_VALUE - total);
            if (b.isDirect()) {
                if (direct) checkBufferPositionAligned(b, b.position(), alignment);
            } else {
                heapBytes += rem;
            }
            total += rem;
            count++;
        }
        if (count == 0) return 0;
        long iovBytes = ((16L * count + BufferPool.PAGE - 1) / BufferPool.PAGE) * BufferPool.PAGE;
        BufferPool.Block block = BufferPool.SHARED.acquire(iovBytes + heapBytes);
        MemorySegment mem = block.segment();
        long n;
        try {
            long shadow = iovBytes;
            int k = 0;
            long left = total;
            for (int i = off; i < end && left > 0; i++) {
                ByteBuffer b = bufs[i];
                int rem = (int) Math.min(remaining(b), left);
                if (rem == 0) continue;
                long addr;
                if (b.isDirect()) {
                    addr = address(b);
                } else {
                    if (!reading) copyFromHeap(b, b.position(), mem, shadow, rem);
                    addr = mem.address() + shadow;
                    shadow += rem;
                }
                mem.set(ValueLayout.JAVA_LONG, 16L * k, addr);
                mem.set(ValueLayout.JAVA_LONG, 16L * k + 8, rem);
                k++;
                left -= rem;
            }
            // the iovecs are the block's first k entries; no slice (an allocation unless the JIT removes it)
            n = reading ? readv(io, fd, mem, k, offset, path, owner) : writev(io, fd, mem, k, offset, path, owner);
            // Advance the buffers by what was transferred, in order; copy heap shadows back.
            shadow = iovBytes;
            long done = Math.max(n, 0);
            left = total;
            for (int i = off; i < end && left > 0; i++) {
                ByteBuffer b = bufs[i];
                int pos = b.position();
                int rem = (int) Math.min(remaining(b), left);
                if (rem == 0) continue;
                left -= rem;
                int m = (int) Math.min(rem, done);
                if (!b.isDirect()) {
                    if (reading && m > 0) copyToHeap(mem, shadow, b, pos, m);
                    shadow += rem;
                }
                if (m > 0) b.position(pos + m);
                done -= m;
            }
        } finally {
            for (int i = off; i < end; i++) Reference.reachabilityFence(bufs[i]);
            BufferPool.SHARED.release(block);
        }
        if (n < 0) return fail(n);
        return reading && n == 0 ? -1 : n;
    }
}
