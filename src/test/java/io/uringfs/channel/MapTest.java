package io.uringfs.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
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
 * {@code map} in both forms ({@link MappedByteBuffer} and {@link MemorySegment}), every mode, on
 * channels of every access mode: the same checks, exceptions, file extension and visibility of
 * mapped writes through the channel (and of channel writes through the mapping) as the default
 * provider, compared outcome by outcome.
 */
class MapTest {
    @TempDir
    Path dir;

    interface Opener {
        FileChannel open(Path p, Set<OpenOption> o) throws Exception;
    }

    private static final List<Set<OpenOption>> MODES = List.of(Set.of(READ), Set.of(WRITE), Set.of(READ, WRITE),
            Set.of(READ, APPEND));
    private static final MapMode[] MAP_MODES = {MapMode.READ_ONLY, MapMode.READ_WRITE, MapMode.PRIVATE};

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    private static String text(MemorySegment s) {
        return new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    private static String read(FileChannel ch, long pos, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        ch.read(b, pos);
        return text(b.flip());
    }

    private List<String> scenario(Opener opener, Path f, Set<OpenOption> access) throws Exception {
        Files.writeString(f, "0123456789abcdef");
        List<String> out = new ArrayList<>();
        try (FileChannel ch = opener.open(f, access); FileChannel rw = FileChannel.open(f, READ, WRITE)) {
            for (MapMode mode : MAP_MODES) {
                out.add(mode + " buffer " + Outcome.of(() -> {
                    MappedByteBuffer m = ch.map(mode, 2, 6);
                    String seen = text(m) + " ro=" + m.isReadOnly() + " cap=" + m.capacity() + " direct=" + m.isDirect();
                    if (!m.isReadOnly()) {
                        m.put(0, (byte) 'X');
                        m.force();
                        seen += " file=" + read(rw, 0, 16);
                        rw.write(ByteBuffer.wrap(new byte[] {'Y'}), 3); // a channel write seen through a shared mapping
                        seen += " mapped=" + text(m);
                    }
                    return seen;
                }));
                out.add(mode + " segment " + Outcome.of(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment s = ch.map(mode, 4, 8, arena);
                        String seen = text(s) + " ro=" + s.isReadOnly() + " size=" + s.byteSize() + " mapped=" + s.isMapped();
                        if (!s.isReadOnly()) {
                            s.set(ValueLayout.JAVA_BYTE, 0, (byte) 'Z');
                            s.force();
                            seen += " file=" + read(rw, 0, 16);
                        }
                        return seen;
                    }
                }));
                // mapping past the end: extends the file when writable, refuses otherwise
                out.add(mode + " extend " + Outcome.of(() -> ch.map(mode, 10, 20).capacity() + " size=" + rw.size()));
                rw.truncate(16);
            }
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, -1, 1)));
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, -1)));
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, (long) Integer.MAX_VALUE + 1)));
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, Long.MAX_VALUE, 2)));
            out.add(Outcome.of(() -> ch.map(null, 0, 1)));
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, 0).capacity()));
            try (Arena arena = Arena.ofConfined()) {
                out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, -1, 1, arena)));
                out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, -1, arena)));
                out.add(Outcome.of(() -> ch.map(null, 0, 1, arena)));
                out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, 1, null)));
                out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, 0, arena).byteSize()));
            }
            Arena closed = Arena.ofConfined();
            closed.close();
            out.add(Outcome.of(() -> ch.map(MapMode.READ_ONLY, 0, 1, closed)));
            Arena arena = Arena.ofShared();
            MemorySegment s = ch.map(MapMode.READ_ONLY, 0, 4, arena);
            arena.close(); // unmaps: the segment is no longer accessible
            out.add(Outcome.of(() -> s.get(ValueLayout.JAVA_BYTE, 0)));
        } catch (Exception e) {
            out.add("segment map on this channel failed: " + Outcome.describe(e));
        }
        out.add("final " + Files.readString(f, StandardCharsets.ISO_8859_1).replace('\0', '.'));
        return out;
    }

    @Test
    void mapMatchesTheDefaultProvider() throws Exception {
        for (Set<OpenOption> access : MODES) {
            List<String> jdk = scenario((p, o) -> FileChannel.open(p, o), dir.resolve("j"), access);
            List<String> uring = scenario((p, o) -> TestIo.open(p, o), dir.resolve("u"), access);
            assertEquals(String.join("\n", jdk), String.join("\n", uring), "access " + access);
        }
    }

    @Test
    void mappedWritesAndChannelWritesSeeEachOther() throws Exception {
        Path f = Files.writeString(dir.resolve("v"), "hello world");
        try (FileChannel ch = TestIo.open(f, READ, WRITE); Arena arena = Arena.ofConfined()) {
            MappedByteBuffer m = ch.map(MapMode.READ_WRITE, 0, 5);
            MemorySegment s = ch.map(MapMode.READ_WRITE, 6, 5, arena);
            MappedByteBuffer p = ch.map(MapMode.PRIVATE, 0, 11);
            m.put(0, (byte) 'J');
            s.set(ValueLayout.JAVA_BYTE, 0, (byte) 'W');
            p.put(1, (byte) '!'); // private: never reaches the file
            assertEquals("Jello World", read(ch, 0, 11));
            ch.write(ByteBuffer.wrap("HE".getBytes(StandardCharsets.US_ASCII)), 0);
            assertEquals('H', (char) m.get(0));
            assertEquals('E', (char) m.get(1));
            m.force();
            s.force();
        }
        assertEquals("HEllo World", Files.readString(f));
    }
}
