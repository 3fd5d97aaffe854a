package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.engine.Io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The {@code dos} view as the JDK offers it on Linux: basic attributes plus the four DOS flags,
 * stored the way Samba stores them, as the text {@code 0x<hex>} (NUL-terminated) in the
 * {@code user.DOSATTRIB} extended attribute. A missing attribute means no flag set; an
 * unparsable one is an error ("Value of user.DOSATTRIB attribute is invalid").
 *
 * <p>Thread safety: immutable; no descriptor is kept between calls.
 */
final class UringDosFileAttributeView extends UringFileAttributeViews.Basic implements DosFileAttributeView {
    private static final String READONLY = "readonly", ARCHIVE = "archive", SYSTEM = "system", HIDDEN = "hidden";
    private static final Set<String> DOS_NAMES =
            UringFileAttributeViews.union(UringFileAttributeViews.BASIC_NAMES, READONLY, ARCHIVE, SYSTEM, HIDDEN);
    private static final byte[] XATTR_NAME = "user.DOSATTRIB".getBytes(StandardCharsets.US_ASCII);
    private static final int XATTR_READONLY = 0x01, XATTR_HIDDEN = 0x02, XATTR_SYSTEM = 0x04, XATTR_ARCHIVE = 0x20;

    UringDosFileAttributeView(UringPath file, boolean followLinks) {
        super(file, followLinks);
    }

    @Override
    public String name() {
        return "dos";
    }

    @Override
    public void setAttribute(String attribute, Object value) throws IOException {
        switch (attribute) {
            case READONLY -> setReadOnly((Boolean) value);
            case ARCHIVE -> setArchive((Boolean) value);
            case SYSTEM -> setSystem((Boolean) value);
            case HIDDEN -> setHidden((Boolean) value);
            default -> super.setAttribute(attribute, value);
        }
    }

    @Override
    public Map<String, Object> readAttributes(String[] requested) throws IOException {
        UringFileAttributeViews.AttributesBuilder builder = new UringFileAttributeViews.AttributesBuilder(DOS_NAMES, requested);
        DosFileAttributes attrs = readAttributes();
        builder.addBasic(attrs);
        if (builder.match(READONLY)) builder.add(READONLY, attrs.isReadOnly());
        if (builder.match(ARCHIVE)) builder.add(ARCHIVE, attrs.isArchive());
        if (builder.match(SYSTEM)) builder.add(SYSTEM, attrs.isSystem());
        if (builder.match(HIDDEN)) builder.add(HIDDEN, attrs.isHidden());
        return builder.unmodifiableMap();
    }

    @Override
    public DosFileAttributes readAttributes() throws IOException {
        Io io = file.getFileSystem().io();
        int fd = -1;
        try {
            fd = UringFileAttributeViews.openForAttributeAccess(file, followLinks);
            UringFileAttributes attrs = UringFileAttributes.get(io, fd);
            int dos = getDosAttribute(io, fd);
            return new DosFileAttributes() {
                @Override public FileTime lastModifiedTime() { return attrs.lastModifiedTime(); }
                @Override public FileTime lastAccessTime() { return attrs.lastAccessTime(); }
                @Override public FileTime creationTime() { return attrs.creationTime(); }
                @Override public boolean isRegularFile() { return attrs.isRegularFile(); }
                @Override public boolean isDirectory() { return attrs.isDirectory(); }
                @Override public boolean isSymbolicLink() { return attrs.isSymbolicLink(); }
                @Override public boolean isOther() { return attrs.isOther(); }
                @Override public long size() { return attrs.size(); }
                @Override public Object fileKey() { return attrs.fileKey(); }
                @Override public boolean isReadOnly() { return (dos & XATTR_READONLY) != 0; }
                @Override public boolean isHidden() { return (dos & XATTR_HIDDEN) != 0; }
                @Override public boolean isArchive() { return (dos & XATTR_ARCHIVE) != 0; }
                @Override public boolean isSystem() { return (dos & XATTR_SYSTEM) != 0; }
            };
        } catch (ErrnoException x) {
            throw x.toIOException(file);
        } finally {
            UringFileAttributeViews.closeQuietly(io, fd);
        }
    }

    @Override public void setReadOnly(boolean value) throws IOException { update(XATTR_READONLY, value); }
    @Override public void setHidden(boolean value) throws IOException { update(XATTR_HIDDEN, value); }
    @Override public void setArchive(boolean value) throws IOException { update(XATTR_ARCHIVE, value); }
    @Override public void setSystem(boolean value) throws IOException { update(XATTR_SYSTEM, value); }

    private static MemorySegment xattrName(Arena arena) {
        MemorySegment s = arena.allocate(XATTR_NAME.length + 1L);
        MemorySegment.copy(XATTR_NAME, 0, s, JAVA_BYTE, 0, XATTR_NAME.length);
        return s;
    }

    /** The flags in user.DOSATTRIB, 0 if it does not exist. */
    private int getDosAttribute(Io io, int fd) throws IOException, ErrnoException {
        final int size = 24;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(size);
            long len = io.fgetxattr(fd, xattrName(arena), buf, size);
            if (len == -Errno.ENODATA) return 0;
            if (len < 0) throw new ErrnoException((int) -len);
            if (len > 0) {
                if (buf.get(JAVA_BYTE, len - 1) == 0) len--;
                String value = new String(buf.asSlice(0, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
                if (value.length() >= 3 && value.startsWith("0x")) {
                    try {
                        return Integer.parseInt(value.substring(2), 16);
                    } catch (NumberFormatException ignore) {
                        // invalid, reported below
                    }
                }
            }
            throw new IOException("Value of user.DOSATTRIB attribute is invalid");
        }
    }

    private void update(int flag, boolean enable) throws IOException {
        Io io = file.getFileSystem().io();
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            fd = UringFileAttributeViews.openForAttributeAccess(file, followLinks);
            int oldValue = getDosAttribute(io, fd);
            int newValue = enable ? oldValue | flag : oldValue & ~flag;
            if (newValue != oldValue) {
                byte[] text = ("0x" + Integer.toHexString(newValue)).getBytes(StandardCharsets.US_ASCII);
                MemorySegment value = arena.allocate(text.length + 1L);
                MemorySegment.copy(text, 0, value, JAVA_BYTE, 0, text.length);
                ErrnoException.check(io.fsetxattr(fd, xattrName(arena), value, text.length + 1L, 0));
            }
        } catch (ErrnoException x) {
            throw x.toIOException(file);
        } finally {
            UringFileAttributeViews.closeQuietly(io, fd);
        }
    }
}
