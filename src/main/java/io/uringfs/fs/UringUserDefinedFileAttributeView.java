package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;
import io.uringfs.ring.LinuxAbi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The {@code user} view: extended attributes in the {@code user.} namespace, read and written on a
 * descriptor opened for attribute access (O_NOFOLLOW without following links), with the messages
 * of the JDK's {@code UnixUserDefinedFileAttributeView}. fgetxattr/fsetxattr go through the ring
 * when the kernel has the opcodes; flistxattr and fremovexattr are plain system calls.
 *
 * <p>Also {@link #copyAll}, which copy and move use to carry every extended attribute along, as
 * the JDK's Linux file system does.
 *
 * <p>Thread safety: immutable; no descriptor is kept between calls.
 */
final class UringUserDefinedFileAttributeView implements UserDefinedFileAttributeView, DynamicFileAttributeView {
    private static final Charset JNU = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    private static final String USER_NAMESPACE = "user.";
    private static final int MIN_LIST_SIZE = 1024, MAX_LIST_SIZE = 32 * 1024;

    private final UringPath file;
    private final boolean followLinks;

    UringUserDefinedFileAttributeView(UringPath file, boolean followLinks) {
        this.file = file;
        this.followLinks = followLinks;
    }

    @Override
    public String name() {
        return "user";
    }

    private byte[] nameAsBytes(String name) throws IOException {
        if (name == null) throw new NullPointerException("'name' is null");
        name = USER_NAMESPACE + name;
        byte[] bytes = name.getBytes(JNU);
        if (bytes.length > LinuxAbi.XATTR_NAME_MAX) {
            throw new FileSystemException(file.pathForMessage(), null, "'" + name + "' is too big");
        }
        return bytes;
    }

    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private int open() throws IOException {
        try {
            return UringFileAttributeViews.openForAttributeAccess(file, followLinks);
        } catch (ErrnoException x) {
            throw x.toIOException(file);
        }
    }

    private Io io() {
        return file.getFileSystem().io();
    }

    /** All attribute names of {@code fd}, growing the buffer on ERANGE up to 32 KiB as the JDK does. */
    private static List<String> list(Io io, int fd) throws ErrnoException {
        for (int size = MIN_LIST_SIZE; ; size *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(size);
                long n = io.flistxattr(fd, buf, size);
                if (n == -Errno.ERANGE && size < MAX_LIST_SIZE) continue;
                ErrnoException.check(n);
                List<String> names = new ArrayList<>();
                int start = 0;
                for (int pos = 0; pos < n; pos++) {
                    if (buf.get(JAVA_BYTE, pos) == 0) {
                        byte[] b = buf.asSlice(start, pos - start).toArray(JAVA_BYTE);
                        names.add(new String(b, JNU));
                        start = pos + 1;
                    }
                }
                return names;
            }
        }
    }

    @Override
    public List<String> list() throws IOException {
        Io io = io();
        int fd = open();
        try {
            return list(io, fd).stream()
                    .filter(s -> s.startsWith(USER_NAMESPACE))
                    .map(s -> s.substring(USER_NAMESPACE.length()))
                    .toList();
        } catch (ErrnoException x) {
            throw new FileSystemException(file.pathForMessage(), null,
                    "Unable to get list of extended attributes: " + x.getMessage());
        } finally {
            io.close(fd);
        }
    }

    @Override
    public int size(String name) throws IOException {
        Io io = io();
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            return (int) ErrnoException.check(io.fgetxattr(fd, cString(arena, nameAsBytes(name)), MemorySegment.NULL, 0));
        } catch (ErrnoException x) {
            throw new FileSystemException(file.pathForMessage(), null,
                    "Unable to get size of extended attribute '" + name + "': " + x.getMessage());
        } finally {
            io.close(fd);
        }
    }

    @Override
    public int read(String name, ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
        int pos = dst.position();
        int rem = Math.max(dst.limit() - pos, 0);
        Io io = io();
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(rem, 1));
            long n = ErrnoException.check(io.fgetxattr(fd, cString(arena, nameAsBytes(name)),
                    rem == 0 ? MemorySegment.NULL : value, rem));
            // with no room, fgetxattr returns the size: a non-empty value does not fit
            if (rem == 0) {
                if (n > 0) throw new ErrnoException(Errno.ERANGE);
                return 0;
            }
            dst.put(value.asSlice(0, n).asByteBuffer());
            return (int) n;
        } catch (ErrnoException x) {
            String msg = x.errno() == Errno.ERANGE ? "Insufficient space in buffer" : x.getMessage();
            throw new FileSystemException(file.pathForMessage(), null,
                    "Error reading extended attribute '" + name + "': " + msg);
        } finally {
            io.close(fd);
        }
    }

    @Override
    public int write(String name, ByteBuffer src) throws IOException {
        int pos = src.position();
        int rem = Math.max(src.limit() - pos, 0);
        Io io = io();
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(rem, 1));
            value.asSlice(0, rem).asByteBuffer().put(src.duplicate());
            ErrnoException.check(io.fsetxattr(fd, cString(arena, nameAsBytes(name)), value, rem, 0));
            src.position(pos + rem);
            return rem;
        } catch (ErrnoException x) {
            throw new FileSystemException(file.pathForMessage(), null,
                    "Error writing extended attribute '" + name + "': " + x.getMessage());
        } finally {
            io.close(fd);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Io io = io();
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException.check(io.fremovexattr(fd, cString(arena, nameAsBytes(name))));
        } catch (ErrnoException x) {
            throw new FileSystemException(file.pathForMessage(), null,
                    "Unable to delete extended attribute '" + name + "': " + x.getMessage());
        } finally {
            io.close(fd);
        }
    }

    @Override
    public void setAttribute(String attribute, Object value) throws IOException {
        write(attribute, value instanceof byte[] b ? ByteBuffer.wrap(b) : (ByteBuffer) value);
    }

    @Override
    public Map<String, Object> readAttributes(String[] attributes) throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : attributes) {
            if (name.equals("*")) {
                names = list();
                break;
            }
            if (name.isEmpty()) throw new IllegalArgumentException();
            names.add(name);
        }
        Map<String, Object> result = new HashMap<>();
        for (String name : names) {
            int size = size(name);
            byte[] buf = new byte[size];
            int n = read(name, ByteBuffer.wrap(buf));
            result.put(name, n == size ? buf : Arrays.copyOf(buf, n));
        }
        return result;
    }

    /** Copies every extended attribute (all namespaces) from {@code sfd} to {@code tfd}; best effort. */
    static void copyAll(Io io, int sfd, int tfd) {
        List<String> names;
        try {
            names = list(io, sfd);
        } catch (ErrnoException x) {
            return;
        }
        for (String name : names) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cname = cString(arena, name.getBytes(JNU));
                long size = io.fgetxattr(sfd, cname, MemorySegment.NULL, 0);
                if (size < 0) continue;
                MemorySegment value = arena.allocate(Math.max(size, 1));
                size = io.fgetxattr(sfd, cname, value, size);
                if (size >= 0) io.fsetxattr(tfd, cname, value, size, 0);
            }
        }
    }
}
