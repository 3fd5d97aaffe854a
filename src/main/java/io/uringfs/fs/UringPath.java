package io.uringfs.fs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.Objects;

/**
 * A path of a {@link UringFileSystem}: an immutable byte string with exactly the algebra of the
 * JDK's {@code UnixPath}, so that every method gives the result the default provider gives.
 *
 * <p>Representation: the bytes of the normalised input ({@code //} collapsed, trailing {@code /}
 * removed) in the {@code sun.jnu.encoding} charset, as the kernel sees them. Name elements are
 * found through a lazily computed offset table. {@link #toString()} decodes the bytes with the same
 * charset, so paths made from bytes the charset cannot decode (from a directory listing, a URI or a
 * symbolic link) keep their exact bytes for system calls.
 *
 * <p>Relative paths resolve against {@code user.dir} as read when the class is initialised, like the
 * default file system's default directory, which also never follows later changes of the property.
 *
 * <p>Thread safety: immutable; the lazily computed caches are benign races.
 */
public final class UringPath implements Path {
    private static final Charset JNU = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    private static final byte[] EMPTY = new byte[0];
    /** The default directory relative paths resolve against. */
    static final byte[] DEFAULT_DIRECTORY = encode(normalizeAndCheck(System.getProperty("user.dir")));

    private final UringFileSystem fs;
    private final byte[] path;
    private String string;   // cached toString
    private int hash;        // cached hashCode (0: not computed, or really 0)
    private volatile int[] offsets;   // cached start index of each name element (volatile: an array's contents need safe publication)

    UringPath(UringFileSystem fs, byte[] path) {
        this.fs = fs;
        this.path = path;
    }

    UringPath(UringFileSystem fs, String input) {
        this(fs, encode(normalizeAndCheck(input)));
    }

    // ---- parsing ----

    /** Collapses repeated slashes and drops a trailing one; rejects NUL like UnixPath. */
    static String normalizeAndCheck(String input) {
        int n = input.length();
        StringBuilder sb = null;
        char prev = 0;
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            if (c == '\u0000') throw new InvalidPathException(input, "Nul character not allowed");
            if (c == '/' && prev == '/') {
                if (sb == null) sb = new StringBuilder(n).append(input, 0, i);
            } else if (sb != null) {
                sb.append(c);
            }
            prev = c;
        }
        String s = sb == null ? input : sb.toString();
        return s.length() > 1 && s.charAt(s.length() - 1) == '/' ? s.substring(0, s.length() - 1) : s;
    }

    private static byte[] encode(String input) {
        boolean ascii = true;
        for (int i = 0; i < input.length() && ascii; i++) ascii = input.charAt(i) < 0x80;
        if (ascii) return input.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            ByteBuffer bb = JNU.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(input));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidPathException(input, "Malformed input or input contains unmappable characters");
        }
    }

    // ---- services for the rest of the file system ----

    /**
     * Checks that {@code p} is a uringfs path. Of which provider is not checked here: the provider's
     * entry points check that ({@link UringFileSystemProvider#own}), and the path algebra checks
     * the other path with {@link #ofSameProvider}.
     */
    public static UringPath toUringPath(Path p) {
        if (p == null) throw new NullPointerException();
        if (!(p instanceof UringPath up)) throw new ProviderMismatchException();
        return up;
    }

    /**
     * {@code other} as a path of this path's provider: a path of any other provider is a
     * {@link ProviderMismatchException}, and so is one of the other uringfs provider (the
     * {@code file:} front end and {@code uring:} share these classes but are two providers).
     * A path of another file system of this provider is taken as this file system's path with the
     * same bytes (the JDK's zip provider also lets two file systems' paths mix), so that the
     * algebra's results are always paths of this file system.
     */
    private UringPath ofSameProvider(Path other) {
        UringPath o = fs.provider().own(other);
        return o.fs == fs ? o : new UringPath(fs, o.path);
    }

    /** The raw path bytes (not a copy: callers must not modify them). */
    public byte[] bytes() {
        return path;
    }

    /**
     * The bytes to hand to a system call: absolute, relative paths resolved against {@code user.dir}
     * (not a copy: callers must not modify them).
     */
    public byte[] bytesForSyscall() {
        // The empty path names the working directory as ".", as the default provider passes it: the
        // kernel refuses to remove or rename "." (EINVAL, EBUSY), where the resolved directory itself
        // would have been removed or moved.
        return isAbsolute() ? path : resolve(DEFAULT_DIRECTORY, isEmpty() ? CURRENT_DIRECTORY : path);
    }

    private static final byte[] CURRENT_DIRECTORY = {'.'};

    /** {@link #bytesForSyscall()} as a NUL-terminated C string allocated in {@code arena}. */
    public MemorySegment toCString(Arena arena) {
        byte[] b = bytesForSyscall();
        MemorySegment s = arena.allocate(b.length + 1L);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        s.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return s;
    }

    /** The path as the default provider names it in exception messages. */
    public String pathForMessage() {
        return toString();
    }

    boolean isEmpty() {
        return path.length == 0;
    }

    // ---- name elements ----

    private int[] offsets() {
        int[] o = offsets;
        if (o == null) {
            if (path.length == 0) {
                o = new int[] {0};          // the empty path has one (empty) name
            } else {
                int count = 0;
                for (int i = 0; i < path.length; i++) {
                    if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) count++;
                }
                o = new int[count];
                int k = 0;
                for (int i = 0; i < path.length; i++) {
                    if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) o[k++] = i;
                }
            }
            offsets = o;
        }
        return o;
    }

    /** End index (exclusive) of name element {@code i}. */
    private int nameEnd(int[] o, int i) {
        return i == o.length - 1 ? path.length : o[i + 1] - 1;
    }

    private UringPath slice(int from, int to) {
        return new UringPath(fs, Arrays.copyOfRange(path, from, to));
    }

    @Override
    public UringFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return path.length > 0 && path[0] == '/';
    }

    @Override
    public UringPath getRoot() {
        return isAbsolute() ? fs.rootDirectory() : null;
    }

    @Override
    public UringPath getFileName() {
        int[] o = offsets();
        if (o.length == 0) return null;                       // "/"
        if (o.length == 1 && !isAbsolute()) return this;      // a single relative name (or "")
        return slice(o[o.length - 1], path.length);
    }

    @Override
    public UringPath getParent() {
        int[] o = offsets();
        if (o.length == 0) return null;
        int len = o[o.length - 1] - 1;
        return len <= 0 ? getRoot() : slice(0, len);
    }

    @Override
    public int getNameCount() {
        return offsets().length;
    }

    @Override
    public UringPath getName(int index) {
        int[] o = offsets();
        if (index < 0 || index >= o.length) throw new IllegalArgumentException();
        return slice(o[index], nameEnd(o, index));
    }

    @Override
    public UringPath subpath(int beginIndex, int endIndex) {
        int[] o = offsets();
        if (beginIndex < 0 || beginIndex >= o.length || endIndex > o.length || beginIndex >= endIndex) {
            throw new IllegalArgumentException();
        }
        return slice(o[beginIndex], nameEnd(o, endIndex - 1));
    }

    private boolean isDot(int[] o, int i) {
        return nameEnd(o, i) - o[i] == 1 && path[o[i]] == '.';
    }

    private boolean isDotDot(int[] o, int i) {
        return nameEnd(o, i) - o[i] == 2 && path[o[i]] == '.' && path[o[i] + 1] == '.';
    }

    private boolean hasDotOrDotDot() {
        int[] o = offsets();
        for (int i = 0; i < o.length; i++) {
            if (isDot(o, i) || isDotDot(o, i)) return true;
        }
        return false;
    }

    // ---- algebra ----

    /** base + "/" + child, with UnixPath's special cases for empty, absolute and root. */
    private static byte[] resolve(byte[] base, byte[] child) {
        if (child.length == 0) return base;
        if (base.length == 0 || child[0] == '/') return child;
        boolean root = base.length == 1 && base[0] == '/';
        byte[] out = new byte[base.length + (root ? 0 : 1) + child.length];
        System.arraycopy(base, 0, out, 0, base.length);
        int pos = base.length;
        if (!root) out[pos++] = '/';
        System.arraycopy(child, 0, out, pos, child.length);
        return out;
    }

    @Override
    public UringPath resolve(Path other) {
        UringPath o = ofSameProvider(other);
        if (o.isAbsolute()) return o;
        byte[] r = resolve(path, o.path);
        return r == path ? this : new UringPath(fs, r);
    }

    @Override
    public UringPath resolve(Path first, Path... more) {
        UringPath r = resolve(first);
        for (Path p : more) r = r.resolve(p);
        return r;
    }

    @Override
    public UringPath normalize() {
        int[] o = offsets();
        int count = o.length;
        if (count == 0 || isEmpty()) return this;
        boolean absolute = isAbsolute();
        boolean[] drop = new boolean[count];
        int remaining = count;
        boolean hasDotDot = false;
        for (int i = 0; i < count; i++) {
            if (isDot(o, i)) {
                drop[i] = true;
                remaining--;
            } else if (isDotDot(o, i)) {
                hasDotDot = true;
            }
        }
        // Repeat until stable: each pass cancels "name/.." pairs (and "/.." at the root).
        while (hasDotDot) {
            int before = remaining;
            int prevName = -1;
            for (int i = 0; i < count; i++) {
                if (drop[i]) continue;
                if (!isDotDot(o, i)) {
                    prevName = i;
                } else if (prevName >= 0) {
                    drop[prevName] = true;
                    drop[i] = true;
                    remaining -= 2;
                    prevName = -1;
                } else if (absolute && allDropped(drop, i)) {
                    drop[i] = true;
                    remaining--;
                }
            }
            if (remaining == before) break;
        }
        if (remaining == count) return this;
        if (remaining == 0) return absolute ? fs.rootDirectory() : emptyPath();
        int len = absolute ? remaining : remaining - 1;
        for (int i = 0; i < count; i++) if (!drop[i]) len += nameEnd(o, i) - o[i];
        byte[] out = new byte[len];
        int pos = 0;
        if (absolute) out[pos++] = '/';
        for (int i = 0; i < count; i++) {
            if (drop[i]) continue;
            int n = nameEnd(o, i) - o[i];
            System.arraycopy(path, o[i], out, pos, n);
            pos += n;
            if (--remaining > 0) out[pos++] = '/';
        }
        return new UringPath(fs, out);
    }

    private static boolean allDropped(boolean[] drop, int upTo) {
        for (int j = 0; j < upTo; j++) if (!drop[j]) return false;
        return true;
    }

    private UringPath emptyPath() {
        return new UringPath(fs, EMPTY);
    }

    @Override
    public UringPath relativize(Path other) {
        UringPath child = ofSameProvider(other);
        if (child.equals(this)) return emptyPath();
        if (isAbsolute() != child.isAbsolute()) {
            throw new IllegalArgumentException("'other' is different type of Path");
        }
        if (isEmpty()) return child;
        UringPath base = this;
        if (base.hasDotOrDotDot() || child.hasDotOrDotDot()) {
            base = base.normalize();
            child = child.normalize();
        }
        int baseCount = base.getNameCount();
        int childCount = child.getNameCount();
        int n = Math.min(baseCount, childCount);
        int i = 0;
        while (i < n && base.getName(i).equals(child.getName(i))) i++;

        UringPath childRest = i == childCount ? emptyPath() : child.subpath(i, childCount);
        boolean childEmpty = childRest.isEmpty();
        if (i == baseCount) return childRest;
        UringPath baseRest = base.subpath(i, baseCount);
        if (baseRest.hasDotOrDotDot()) {
            // the double space is the JDK's message, verbatim
            throw new IllegalArgumentException("Unable to compute relative  path from " + this + " to " + other);
        }
        if (baseRest.isEmpty()) return childRest;
        int dotdots = baseRest.getNameCount();
        // "../" per remaining base name, then the rest of child; no trailing "/" before an empty rest
        byte[] out = new byte[dotdots * 3 + childRest.path.length - (childEmpty ? 1 : 0)];
        int pos = 0;
        for (int k = 0; k < dotdots; k++) {
            out[pos++] = '.';
            out[pos++] = '.';
            if (!childEmpty || k < dotdots - 1) out[pos++] = '/';
        }
        System.arraycopy(childRest.path, 0, out, pos, childRest.path.length);
        return new UringPath(fs, out);
    }

    /**
     * False for a path of another file system, as {@link #equals} is (and as UnixPath answers
     * for another provider's path), so that {@code p.startsWith(p)} and {@code p.equals(p)} agree.
     */
    @Override
    public boolean startsWith(Path other) {
        if (!(Objects.requireNonNull(other) instanceof UringPath that) || that.fs != fs) return false;
        if (that.path.length > path.length) return false;
        int[] mine = offsets();
        int[] theirs = that.offsets();
        if (theirs.length == 0 && isAbsolute()) return !that.isEmpty();   // other is "/"
        if (theirs.length > mine.length) return false;
        if (theirs.length == mine.length && path.length != that.path.length) return false;
        for (int i = 0; i < theirs.length; i++) {
            if (mine[i] != theirs[i]) return false;
        }
        if (!Arrays.equals(path, 0, that.path.length, that.path, 0, that.path.length)) return false;
        // the match must end on a name boundary
        return that.path.length == path.length || path[that.path.length] == '/';
    }

    /** False for a path of another file system, as {@link #startsWith}. */
    @Override
    public boolean endsWith(Path other) {
        if (!(Objects.requireNonNull(other) instanceof UringPath that) || that.fs != fs) return false;
        int thisLen = path.length;
        int thatLen = that.path.length;
        if (thatLen > thisLen) return false;
        if (thisLen > 0 && thatLen == 0) return false;
        if (that.isAbsolute() && !isAbsolute()) return false;
        int[] mine = offsets();
        int[] theirs = that.offsets();
        if (theirs.length > mine.length) return false;
        if (theirs.length == mine.length) {
            if (mine.length == 0) return true;
            int expected = isAbsolute() && !that.isAbsolute() ? thisLen - 1 : thisLen;
            if (thatLen != expected) return false;
        } else if (that.isAbsolute()) {
            return false;
        }
        int thisPos = mine[mine.length - theirs.length];
        return Arrays.equals(path, thisPos, thisLen, that.path, theirs[0], thatLen);
    }

    /**
     * Compares the bytes, as UnixPath. A path of another provider is a {@link ClassCastException}
     * ({@link Path#compareTo}'s contract), the other uringfs provider's included; two file systems of
     * one provider compare by their paths' bytes.
     */
    @Override
    public int compareTo(Path other) {
        UringPath that = (UringPath) other;
        if (that.fs != fs && that.fs.provider() != fs.provider()) {
            throw new ClassCastException("a path of " + that.fs.provider().getScheme() + ": cannot be compared to one of "
                    + fs.provider().getScheme() + ":");
        }
        return Arrays.compareUnsigned(path, that.path);
    }

    /** Equal when of the same file system and with the same bytes (paths of two file systems never are). */
    @Override
    public boolean equals(Object o) {
        return o instanceof UringPath p && p.fs == fs && Arrays.equals(path, p.path);
    }

    /** Same value as UnixPath's: the bytes as unsigned values, polynomial 31. */
    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            for (byte b : path) h = 31 * h + (b & 0xff);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        String s = string;
        if (s == null) string = s = new String(path, JNU);
        return s;
    }

    // ---- file system access ----

    @Override
    public UringPath toAbsolutePath() {
        return isAbsolute() ? this : new UringPath(fs, resolve(DEFAULT_DIRECTORY, path));
    }

    @Override
    public UringPath toRealPath(LinkOption... options) throws IOException {
        return RealPaths.toRealPath(this, options);
    }

    /** @throws java.nio.file.ClosedFileSystemException if the file system is closed (a directory gets a trailing "/") */
    @Override
    public URI toUri() {
        return UringUris.toUri(this);
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        return UringWatchService.register(this, watcher, events, modifiers);
    }
}
