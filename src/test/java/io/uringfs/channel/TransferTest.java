package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.nio.file.StandardOpenOption.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code transferTo}/{@code transferFrom} between two uring channels, between uring and
 * default-provider channels (both directions), and with pipes and sockets: the same counts,
 * positions, file contents and exceptions as when both ends are the default provider's.
 */
class TransferTest {
    @TempDir
    Path dir;

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private static final Opener JDK = (p, o) -> FileChannel.open(p, o);
    private static final Opener URING = (p, o) -> TestIo.open(p, o);

    private static final String SRC = "0123456789abcdefghijklmnopqrstuvwxyz";

    private static String state(FileChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) ch.size());
        ch.read(b, 0);
        return "pos=" + ch.position() + " size=" + ch.size() + " '" + new String(b.array(), 0, b.position(),
                StandardCharsets.ISO_8859_1).replace('\0', '.') + "'";
    }

    /** File-to-file transfers with {@code from} as source opener and {@code to} as target opener. */
    private List<String> fileToFile(Opener from, Opener to, Path d) throws Exception {
        Files.createDirectories(d);
        List<String> out = new ArrayList<>();
        long[][] cases = {{0, 10}, {5, 100}, {36, 5}, {40, 5}, {3, 0}, {0, Long.MAX_VALUE}};
        for (long[] c : cases) {
            Path a = Files.writeString(d.resolve("a"), SRC), b = Files.writeString(d.resolve("b"), "target");
            try (FileChannel in = from.open(a, Set.of(READ)); FileChannel o = to.open(b, Set.of(READ, WRITE))) {
                in.position(7);
                o.position(2);
                out.add("to " + c[0] + "," + c[1] + " " + Outcome.of(() -> in.transferTo(c[0], c[1], o))
                        + " in " + state(in) + " out " + state(o));
            }
            Files.writeString(a, SRC);
            Files.writeString(b, "target");
            try (FileChannel in = from.open(a, Set.of(READ)); FileChannel o = to.open(b, Set.of(READ, WRITE))) {
                in.position(7);
                o.position(2);
                out.add("from " + c[0] + "," + c[1] + " " + Outcome.of(() -> o.transferFrom(in, c[0], c[1]))
                        + " in " + state(in) + " out " + state(o));
            }
        }
        Path a = Files.writeString(d.resolve("a"), SRC), b = Files.writeString(d.resolve("b"), "target");
        try (FileChannel in = from.open(a, Set.of(READ)); FileChannel wo = from.open(a, Set.of(WRITE));
             FileChannel ro = to.open(b, Set.of(READ)); FileChannel app = to.open(b, Set.of(APPEND));
             FileChannel o = to.open(b, Set.of(READ, WRITE))) {
            out.add(Outcome.of(() -> in.transferTo(0, 5, ro)));
            out.add(Outcome.of(() -> wo.transferTo(0, 5, o)));
            out.add(Outcome.of(() -> o.transferFrom(wo, 0, 5)));
            out.add(Outcome.of(() -> ro.transferFrom(in, 0, 5)));
            out.add(Outcome.of(() -> in.transferTo(-1, 5, o)));
            out.add(Outcome.of(() -> in.transferTo(0, -1, o)));
            out.add(Outcome.of(() -> o.transferFrom(in, -1, 5)));
            out.add("append " + Outcome.of(() -> in.transferTo(1, 4, app)) + " " + state(o));
            out.add("append from " + Outcome.of(() -> app.transferFrom(in, 0, 3)) + " " + state(o) + " " + state(in));
            out.add("beyond end " + Outcome.of(() -> o.transferFrom(in, 100, 3)) + " " + state(o));
        }
        // within one file, overlapping ranges (the kernel's copy_file_range refuses those)
        Path s = Files.writeString(d.resolve("s"), SRC);
        try (FileChannel x = from.open(s, Set.of(READ, WRITE))) {
            out.add("self " + Outcome.of(() -> x.transferTo(0, 10, x)) + " " + state(x));
            x.position(3);
            out.add("self from " + Outcome.of(() -> x.transferFrom(x, 8, 6)) + " " + state(x));
        }
        return out;
    }

    @Test
    void fileToFileMatchesTheDefaultProvider() throws Exception {
        List<String> jdk = fileToFile(JDK, JDK, dir.resolve("jj"));
        String expected = String.join("\n", jdk);
        assertEquals(expected, String.join("\n", fileToFile(URING, URING, dir.resolve("uu"))), "uring to uring");
        assertEquals(expected, String.join("\n", fileToFile(URING, JDK, dir.resolve("uj"))), "uring to default");
        assertEquals(expected, String.join("\n", fileToFile(JDK, URING, dir.resolve("ju"))), "default to uring");
    }

    /** On a virtual thread, uring-to-uring transfers are ring splices: the same outcomes. */
    @Test
    void fileToFileOnAVirtualThreadMatchesTheDefaultProvider() throws Exception {
        String expected = String.join("\n", fileToFile(JDK, JDK, dir.resolve("jj")));
        var result = new java.util.concurrent.atomic.AtomicReference<Object>();
        Thread.ofVirtual().start(() -> {
            try {
                result.set(String.join("\n", fileToFile(URING, URING, dir.resolve("vu"))));
            } catch (Throwable t) {
                result.set(t);
            }
        }).join();
        assertEquals(expected, result.get());
    }

    interface Ends {
        WritableByteChannel sink();

        ReadableByteChannel source();
    }

    /** Transfers to and from a stream channel (pipe or socket); the data fits in its buffer. */
    private List<String> withStream(Opener opener, Path d, Ends ends) throws Exception {
        Files.createDirectories(d);
        List<String> out = new ArrayList<>();
        Path a = Files.writeString(d.resolve("a"), SRC), b = Files.writeString(d.resolve("b"), "target");
        try (FileChannel in = opener.open(a, Set.of(READ)); FileChannel o = opener.open(b, Set.of(READ, WRITE))) {
            in.position(4);
            out.add("to stream " + Outcome.of(() -> in.transferTo(3, 20, ends.sink())) + " in " + state(in));
            out.add("to stream past end " + Outcome.of(() -> in.transferTo(30, 20, ends.sink())));
            ends.sink().close(); // the reader then sees end of stream after the 26 bytes
            o.position(1);
            out.add("from stream " + Outcome.of(() -> o.transferFrom(ends.source(), 2, 10)) + " out " + state(o));
            out.add("from stream rest " + Outcome.of(() -> o.transferFrom(ends.source(), 20, 100)) + " out " + state(o));
            out.add("from ended stream " + Outcome.of(() -> o.transferFrom(ends.source(), 0, 100)));
            out.add("to closed " + Outcome.of(() -> in.transferTo(0, 1, ends.sink())));
        } finally {
            ends.source().close();
        }
        return out;
    }

    private static Ends pipe() throws Exception {
        Pipe p = Pipe.open();
        return new Ends() {
            public WritableByteChannel sink() { return p.sink(); }
            public ReadableByteChannel source() { return p.source(); }
        };
    }

    private static Ends socket() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            return new Ends() {
                public WritableByteChannel sink() { return client; }
                public ReadableByteChannel source() { return accepted; }
            };
        }
    }

    @Test
    void pipesAndSocketsMatchTheDefaultProvider() throws Exception {
        assertEquals(String.join("\n", withStream(JDK, dir.resolve("jp"), pipe())),
                String.join("\n", withStream(URING, dir.resolve("up"), pipe())), "pipe");
        List<String> jdk = withStream(JDK, dir.resolve("js"), socket());
        assertEquals(String.join("\n", jdk), String.join("\n", withStream(URING, dir.resolve("us"), socket())), "socket");
        assertTrue(jdk.get(0).startsWith("to stream = 20"), jdk::toString);
    }

    @Test
    void largeTransferBetweenUringChannelsMovesEveryByte() throws Exception {
        byte[] data = new byte[3 << 20];
        new java.util.Random(42).nextBytes(data);
        Path a = Files.write(dir.resolve("big"), data), b = dir.resolve("copy"), c = dir.resolve("copy2");
        try (FileChannel in = TestIo.open(a, READ); FileChannel o = TestIo.open(b, CREATE_NEW, WRITE);
             FileChannel o2 = FileChannel.open(c, CREATE_NEW, WRITE)) {
            long done = 0;
            while (done < data.length) done += in.transferTo(done, data.length - done, o);
            assertEquals(data.length, done);
            assertEquals(0, in.position());
            assertEquals(data.length, o.position());
            in.position(0);
            done = 0;
            while (done < data.length) done += o2.transferFrom(in, done, data.length - done);
            assertEquals(data.length, in.position());
        }
        assertArrayEquals(data, Files.readAllBytes(b));
        assertArrayEquals(data, Files.readAllBytes(c));
    }
}
