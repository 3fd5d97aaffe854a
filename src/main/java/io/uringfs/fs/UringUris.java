package io.uringfs.fs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;

/**
 * Conversion between {@link UringPath} and {@code uring:} URIs with the rules of the JDK's
 * {@code file:} URIs ({@code sun.nio.fs.UnixUriUtils}): the path bytes, made absolute, with every
 * byte outside RFC 2396's path characters percent-encoded (so non-ASCII and undecodable bytes
 * round-trip exactly), and a trailing {@code /} when the path is an existing directory.
 *
 * <p>The default file system's URIs are {@code uring:///path}; a named file system's are
 * {@code uring://NAME/path}, its name standing where a {@code file:} URI would have an authority.
 * {@code uring:/path} is accepted for the default file system and, like {@code file:/path} (which
 * the JDK hands to {@code java.io.File}), is decoded as a string rather than byte by byte.
 *
 * <p>Thread safety: stateless.
 */
final class UringUris {
    private UringUris() {}

    static final String SCHEME = "uring";

    /** Bit i set: ASCII char i may appear unescaped in a URI path (RFC 2396 pchar, ";" and "/"). */
    private static final long LOW_OK, HIGH_OK;

    static {
        long low = 0, high = 0;
        String ok = "-_.!~*'()" + ":@&=+$," + ";/"
                + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (char c : ok.toCharArray()) {
            if (c < 64) low |= 1L << c;
            else high |= 1L << (c - 64);
        }
        LOW_OK = low;
        HIGH_OK = high;
    }

    private static boolean unescaped(int b) {
        return b < 64 ? (LOW_OK & (1L << b)) != 0 : b < 128 && (HIGH_OK & (1L << (b - 64))) != 0;
    }

    /** The URI prefix of a file system's paths, up to and including the root's "/". */
    static String prefix(String scheme, String fsName) {
        return fsName == null ? scheme + ":///" : scheme + "://" + fsName + "/";
    }

    static URI toUri(UringPath p) {
        byte[] bytes = p.toAbsolutePath().bytes();
        UringFileSystem fs = p.getFileSystem();
        StringBuilder sb = new StringBuilder(prefix(fs.provider().getScheme(), fs.name()));
        for (int i = 1; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (unescaped(b)) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        if (sb.charAt(sb.length() - 1) != '/' && PathStat.isDirectory(p)) sb.append('/');
        try {
            return new URI(sb.toString());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);   // every byte outside the path characters was escaped
        }
    }

    /**
     * The path a {@code uring:} URI denotes, with UnixUriUtils.fromUri's checks and messages.
     *
     * @throws IllegalArgumentException if the URI is not a {@code uring:} path URI, or has an
     *         authority that names no open file system
     */
    static UringPath fromUri(UringFileSystemProvider provider, URI uri) {
        if (!uri.isAbsolute()) throw new IllegalArgumentException("URI is not absolute");
        if (uri.isOpaque()) throw new IllegalArgumentException("URI is not hierarchical");
        String scheme = uri.getScheme();
        String expected = provider.getScheme();
        if (!scheme.equalsIgnoreCase(expected)) {
            throw new IllegalArgumentException("URI scheme is not \"" + expected + "\"");
        }
        String name = uri.getRawAuthority();
        boolean file = expected.equals(UringDefaultFileSystemProvider.SCHEME);
        // An authority is only meaningful as the name of an open uring: file system (file: URIs,
        // the default-provider front end, have none); anything else is rejected exactly as the
        // default provider rejects an authority, and before the fragment and query, as there.
        UringFileSystem fs = name == null || file ? null : provider.namedFileSystem(name);
        if (name != null && fs == null) throw new IllegalArgumentException("URI has an authority component");
        if (uri.getRawFragment() != null) throw new IllegalArgumentException("URI has a fragment component");
        if (uri.getRawQuery() != null) throw new IllegalArgumentException("URI has a query component");
        if (fs == null) {
            if (!file && !uri.toString().startsWith(expected + ":///")) return fromFileStyleUri(provider.defaultFileSystem(), uri);
            fs = provider.defaultFileSystem();
        }
        String p = uri.getRawPath();
        int len = p.length();
        if (len == 0) throw new IllegalArgumentException("URI path component is empty");
        if (len > 1 && p.endsWith("/")) len--;
        byte[] out = new byte[len];
        int n = 0;
        for (int pos = 0; pos < len; ) {
            char c = p.charAt(pos++);
            byte b;
            if (c == '%') {
                // java.net.URI has already checked that two hex digits follow
                b = (byte) ((Character.digit(p.charAt(pos), 16) << 4) | Character.digit(p.charAt(pos + 1), 16));
                pos += 2;
                if (b == 0) throw new IllegalArgumentException("Nul character not allowed");
            } else {
                if (c == 0 || c >= 0x80) throw new IllegalArgumentException("Bad escape");
                b = (byte) c;
            }
            if (b == '/' && n > 0 && out[n - 1] == '/') continue;
            out[n++] = b;
        }
        return new UringPath(fs, n == out.length ? out : Arrays.copyOf(out, n));
    }

    /** {@code uring:/path}: decoded as java.io.File(URI) decodes {@code file:/path}. */
    private static UringPath fromFileStyleUri(UringFileSystem fs, URI uri) {
        String p = uri.getPath();
        if (p.isEmpty()) throw new IllegalArgumentException("URI path component is empty");
        if (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return new UringPath(fs, p);
    }
}
