package io.uringfs.reliability;

import io.uringfs.engine.EngineStats;
import io.uringfs.fs.UringFileSystem;
import io.uringfs.ring.IoUring;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Child process of {@link CrashConsistencyTest}: appends fixed-size records to a file through
 * {@code uring:} FileChannels, from a virtual thread (so the waits go through the ring: a platform
 * thread's writes and syncs would be plain system calls), and acknowledges each record only once
 * it is durable: even records are written through a plain channel and forced with {@code fsync},
 * odd ones through an {@code O_DSYNC} channel (a ring write on a virtual thread) and forced with
 * {@code fdatasync}. Each acknowledgement is {@code ack SEQ WRITES FSYNCS}, the counts being the
 * WRITE and FSYNC ops this run has submitted to the ring so far, so that the parent can check the
 * ring path was taken. It runs until killed.
 */
public final class CrashWriter {
    static final int RECORD = 256;

    private CrashWriter() {}

    /** Record {@code seq}: seq, payload derived from seq, CRC32C of both. */
    static ByteBuffer record(long seq) {
        ByteBuffer b = ByteBuffer.allocate(RECORD);
        b.putLong(seq);
        SplittableRandom rnd = new SplittableRandom(seq * 0x9E3779B97F4A7C15L);
        while (b.remaining() > 8) b.put((byte) rnd.nextInt());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, RECORD - 8);
        b.putLong(crc.getValue());
        return b.flip();
    }

    public static void main(String[] args) throws Exception {
        var fs = (UringFileSystem) FileSystems.getFileSystem(URI.create("uring:///"));
        System.out.println("ring " + fs.usesRing());
        Path file = fs.getPath(args[0]);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                write(fs, file);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.join();
        throw new IllegalStateException("the writer stopped", failure.get());
    }

    private static void write(UringFileSystem fs, Path file) throws Exception {
        EngineStats stats = fs.engine().stats();
        try (FileChannel plain = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel dsync = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)) {
            long seq = plain.size() / RECORD;  // continue after what an earlier run left (torn tail overwritten)
            for (; ; seq++) {
                boolean even = seq % 2 == 0;
                FileChannel ch = even ? plain : dsync;
                ByteBuffer b = record(seq);
                long pos = seq * RECORD;
                while (b.hasRemaining()) pos += ch.write(b, pos);
                ch.force(even);  // both flavours: fsync and fdatasync
                System.out.println("ack " + seq + " " + stats.submitted(IoUring.OP_WRITE) + " " + stats.submitted(IoUring.OP_FSYNC));
                System.out.flush();
            }
        }
    }
}
