package io.uringfs.channel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

import static java.nio.file.StandardOpenOption.*;

/**
 * A child process for {@link FileLockTest}: takes a POSIX lock with the default provider
 * ({@code args: file position size shared}), prints {@code locked}, releases it when a line
 * {@code release} arrives (printing {@code released}) and exits at end of input.
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), READ, WRITE)) {
            FileLock lock = ch.lock(Long.parseLong(args[1]), Long.parseLong(args[2]), Boolean.parseBoolean(args[3]));
            System.out.println("locked");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("release")) {
                    lock.release();
                    System.out.println("released");
                    System.out.flush();
                }
            }
        }
    }
}
