package io.uringfs.reliability;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Child process of {@link CrashConsistencyTest}: appends fixed-size records to a file through a
 * {@code uring:} FileChannel, forces after each one and only then prints {@code ack N}. It runs
 * until killed.
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
        var fs = (io.uringfs.fs.UringFileSystem) FileSystems.getFileSystem(URI.create("uring:///"));
        System.out.println("ring " + fs.usesRing());
        Path file = fs.getPath(args[0]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long seq = ch.size() / RECORD;  // continue after what an earlier run left (torn tail overwritten)
            for (; ; seq++) {
                ByteBuffer b = record(seq);
                long pos = seq * RECORD;
                while (b.hasRemaining()) pos += ch.write(b, pos);
                ch.force(seq % 2 == 0);  // both flavours: fsync and fdatasync
                System.out.println("ack " + seq);
                System.out.flush();
            }
        }
    }
}
