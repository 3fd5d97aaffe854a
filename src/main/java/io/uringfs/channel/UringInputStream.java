package io.uringfs.channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * The stream of {@code Files.newInputStream}: the JDK's {@code Channels.newInputStream} over the
 * channel, except where that stream would seek in a file that cannot seek.
 *
 * <p>The JDK's stream moves the position to skip, and goes by size and position for
 * {@code available}, {@code readAllBytes}, {@code readNBytes} and {@code transferTo}, on every
 * seekable channel but its own channel over a FIFO, a device or a socket. Over a uring channel to
 * such a file it therefore failed with "Illegal seek" (a FIFO) or skipped nothing (size 0, as
 * {@code /dev/zero}), where the default provider's stream reads and discards, and reads to the
 * end. So once one of those calls finds the file {@linkplain UringFileChannel#isOther other},
 * every call goes to the JDK's stream over a view of the channel that cannot seek, which takes
 * those very paths. Regular files and directories keep the JDK's stream over the channel itself.
 * {@code available} is the channel's, for every file, as the default provider's stream asks its
 * own channel.
 *
 * <p>Reads ask nothing: the file's type is asked (one statx) by the first call that depends on
 * it, as the JDK's stream does.
 *
 * <p>Thread safety: as the JDK's stream, whose methods it calls.
 */
final class UringInputStream extends InputStream {
    private final UringFileChannel channel;
    /** The JDK's stream over the channel, replaced by one over {@link Unseekable} once the file is known to be other. */
    private volatile InputStream in;
    /** Whether {@link #in} is settled: the file's type was asked. */
    private volatile boolean typeKnown;

    UringInputStream(UringFileChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
    }

    /** The channel with only its reads: the JDK's stream over it reads to skip and reads to the end. */
    private record Unseekable(UringFileChannel channel) implements ReadableByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The stream for a call whose way depends on the file's type, which it asks the first time. */
    private InputStream typed() throws IOException {
        if (!typeKnown) {
            if (channel.isOther()) in = Channels.newInputStream(new Unseekable(channel));
            typeKnown = true;
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        return typed().skip(n);
    }

    @Override
    public int available() throws IOException {
        return channel.available();
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        return typed().readAllBytes();
    }

    /** {@code len} is checked before the type, as the JDK's stream does: even a closed one gives 0 bytes for 0. */
    @Override
    public byte[] readNBytes(int len) throws IOException {
        return (len > 0 ? typed() : in).readNBytes(len);
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        return typed().transferTo(out);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
