package io.uringfs.reliability;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process of {@link PermissionTest}, run as an unprivileged user: for each path argument,
 * tries a FileChannel read, {@code Files.readAllBytes}, a write and a write with {@code CREATE} on
 * {@code uring:} and on the default provider, and prints one line per attempt:
 * {@code provider op path -> outcome}. The attempts run on a virtual thread, where uringfs opens
 * through the ring: plain opens first try a dentry-cached {@code openat2}, opens with
 * {@code O_CREAT} go to the ring at once; for the latter it also prints
 * {@code ring-opens create-write path N}, the OPENAT ops the attempt submitted to the ring.
 */
public final class PermissionProbe {
    private PermissionProbe() {}

    public static void main(String[] args) throws Exception {
        var uring = (io.uringfs.fs.UringFileSystem) FileSystems.getFileSystem(URI.create("uring:///"));
        System.out.println("ring " + uring.usesRing());
        Thread.ofVirtual().start(() -> probe(uring, args)).join();
    }

    private static void probe(io.uringfs.fs.UringFileSystem uring, String[] args) {
        var stats = uring.engine().stats();
        for (String arg : args) {
            for (Path p : new Path[] {Path.of(arg), uring.getPath(arg)}) {
                String provider = p.getFileSystem() == uring ? "uring" : "file";
                System.out.println(provider + " channel-read " + arg + " -> " + outcome(() -> {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        return "read " + ch.read(ByteBuffer.allocate(64));
                    }
                }));
                System.out.println(provider + " readAllBytes " + arg + " -> " + outcome(() -> "read " + Files.readAllBytes(p).length));
                System.out.println(provider + " write " + arg + " -> " + outcome(() -> {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        return "wrote " + ch.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                }));
                long opens = stats.submitted(io.uringfs.ring.IoUring.OP_OPENAT);
                System.out.println(provider + " create-write " + arg + " -> " + outcome(() -> {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                        return "wrote " + ch.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                }));
                if (provider.equals("uring")) {
                    System.out.println("ring-opens create-write " + arg + " " + (stats.submitted(io.uringfs.ring.IoUring.OP_OPENAT) - opens));
                }
            }
        }
    }

    private interface Attempt {
        String run() throws Exception;
    }

    private static String outcome(Attempt a) {
        try {
            return a.run();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
