package io.uringfs.fs;

import io.uringfs.ring.Syscalls;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

import static io.uringfs.ring.LinuxAbi.*;

/**
 * Reads a mount table in the {@code /proc/mounts} format ({@code fsname dir type options freq
 * passno}), as glibc's {@code getmntent(3)} does for the JDK: fields are separated by blanks and
 * {@code \040}, {@code \011}, {@code \012}, {@code \134} and {@code \\} in a field stand for space,
 * tab, newline and backslash. The file is read with plain {@code open}/{@code read} system calls:
 * procfs files are generated on read, so the ring would gain nothing.
 *
 * <p>Stateless and thread-safe.
 */
final class MountTable {
    private MountTable() {}

    /** The entries of {@code table}, in file order; an unreadable table has none, as with the JDK. */
    static List<MountEntry> read(String table, Charset charset) {
        byte[] content = readFile(table);
        List<MountEntry> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n') {
                MountEntry e = parseLine(content, start, i, charset);
                if (e != null) entries.add(e);
                start = i + 1;
            }
        }
        return entries;
    }

    /** Parses one line; null for blank lines, comments and lines with fewer than four fields. */
    static MountEntry parseLine(byte[] b, int from, int to, Charset charset) {
        List<byte[]> fields = new ArrayList<>(6);
        int i = from;
        while (i < to) {
            while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
            if (i >= to) break;
            if (fields.isEmpty() && b[i] == '#') return null;
            int s = i;
            while (i < to && b[i] != ' ' && b[i] != '\t') i++;
            fields.add(unescape(b, s, i));
        }
        if (fields.size() < 4) return null;
        return new MountEntry(new String(fields.get(0), charset), fields.get(1),
                new String(fields.get(2), charset), new String(fields.get(3), charset));
    }

    private static byte[] unescape(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            if (b[i] == '\\') {
                if (i + 3 < to && b[i + 1] == '0' && b[i + 2] == '4' && b[i + 3] == '0') { out.write(' '); i += 3; continue; }
                if (i + 3 < to && b[i + 1] == '0' && b[i + 2] == '1' && b[i + 3] == '1') { out.write('\t'); i += 3; continue; }
                if (i + 3 < to && b[i + 1] == '0' && b[i + 2] == '1' && b[i + 3] == '2') { out.write('\n'); i += 3; continue; }
                if (i + 3 < to && b[i + 1] == '1' && b[i + 2] == '3' && b[i + 3] == '4') { out.write('\\'); i += 3; continue; }
                if (i + 1 < to && b[i + 1] == '\\') { out.write('\\'); i += 1; continue; }
            }
            out.write(b[i]);
        }
        return out.toByteArray();
    }

    private static byte[] readFile(String file) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Syscalls.openat(AT_FDCWD, arena.allocateFrom(file), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) return new byte[0];
            try {
                MemorySegment buf = arena.allocate(16384);
                ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
                for (;;) {
                    long n = Syscalls.read(fd, buf, buf.byteSize());
                    if (n == -4) continue; // EINTR
                    if (n <= 0) break;
                    out.write(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, (int) n);
                }
                return out.toByteArray();
            } finally {
                Syscalls.close(fd);
            }
        }
    }
}
