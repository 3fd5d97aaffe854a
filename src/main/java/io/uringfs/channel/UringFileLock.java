package io.uringfs.channel;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * A lock held by a uring channel, like the JDK's {@code FileLockImpl}: valid until released or
 * until its channel closes.
 *
 * <p>Thread safety: {@link #release()} is synchronized; validity is a volatile flag.
 */
final class UringFileLock extends FileLock {
    /** What a lock's channel must do to drop the kernel lock and its entry in the lock table. */
    interface Owner {
        void release(UringFileLock lock) throws IOException;
    }

    private volatile boolean invalid;

    UringFileLock(FileChannel channel, long position, long size, boolean shared) {
        super(channel, position, size, shared);
    }

    UringFileLock(AsynchronousFileChannel channel, long position, long size, boolean shared) {
        super(channel, position, size, shared);
    }

    @Override
    public boolean isValid() {
        return !invalid;
    }

    void invalidate() {
        invalid = true;
    }

    @Override
    public synchronized void release() throws IOException {
        Channel ch = acquiredBy();
        if (!ch.isOpen()) throw new ClosedChannelException();
        if (!invalid) {
            ((Owner) ch).release(this);
            invalidate();
        }
    }
}
