package io.uringfs.fs;

import io.uringfs.channel.ChannelFactory;
import io.uringfs.engine.UringUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The {@code uring:} file system provider: the JDK's default provider's behaviour on Linux, with
 * file I/O on io_uring.
 *
 * <h2>File systems</h2>
 * A default file system, {@code uring:///}, exists without {@code newFileSystem}: it is created on
 * first use, configured from system properties ({@link UringFileSystemConfig#fromSystemProperties()}).
 * {@code newFileSystem(URI.create("uring:///"), env)} creates it with {@code env} instead if it does
 * not exist yet. {@code newFileSystem(URI.create("uring://NAME/"), env)} creates a separately
 * configured file system with its own ring; its paths' URIs are {@code uring://NAME/path}.
 *
 * <p>When io_uring is unavailable and the default file system's policy is {@code fail}, its first
 * use through a method that cannot throw {@link IOException} ({@code getFileSystem},
 * {@code getPath}) throws an {@link UncheckedIOException} whose cause is the
 * {@link UringUnavailableException} with the reason; nothing is cached, so a later use tries again.
 *
 * <p>Thread safety: the registry is guarded by this provider's monitor; everything else is
 * delegated to thread-safe classes.
 */
public class UringFileSystemProvider extends FileSystemProvider {
    private final Object lock = new Object();
    private volatile UringFileSystem defaultFs;        // guarded by lock for writes
    private final Map<String, UringFileSystem> named = new HashMap<>();   // guarded by lock

    private final String scheme;

    public UringFileSystemProvider() {
        this(UringUris.SCHEME);
    }

    /** For {@link UringDefaultFileSystemProvider}: the same file systems and operations under another scheme. */
    UringFileSystemProvider(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public String getScheme() {
        return scheme;
    }

    // ---- file systems ----

    /** The default file system, created on first use from system properties. */
    UringFileSystem defaultFileSystem() {
        UringFileSystem fs = defaultFs;
        if (fs != null) return fs;
        synchronized (lock) {
            if (defaultFs == null) {
                try {
                    defaultFs = new UringFileSystem(this, null, UringFileSystemConfig.fromSystemProperties());
                } catch (UringUnavailableException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
            return defaultFs;
        }
    }

    /** The named file system, or null. */
    UringFileSystem namedFileSystem(String name) {
        synchronized (lock) {
            return named.get(name);
        }
    }

    void removeFileSystem(UringFileSystem fs) {
        synchronized (lock) {
            named.remove(fs.name(), fs);
        }
    }

    /** The file system name a URI designates (null: the default one), checked like the default provider's. */
    private String fileSystemName(URI uri) {
        if (!scheme.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("URI does not match this provider");
        }
        String name = uri.getRawAuthority();
        String path = uri.getPath();
        if (path == null) throw new IllegalArgumentException("Path component is undefined");
        if (!path.equals("/") && !(name != null && path.isEmpty())) {
            throw new IllegalArgumentException("Path component should be '/'");
        }
        if (uri.getRawQuery() != null) throw new IllegalArgumentException("Query component present");
        if (uri.getRawFragment() != null) throw new IllegalArgumentException("Fragment component present");
        return name;
    }

    /**
     * Creates the default ({@code uring:///}) or a named ({@code uring://NAME/}) file system.
     *
     * @param env options, see {@link UringFileSystemConfig}
     * @throws FileSystemAlreadyExistsException if it exists already
     * @throws UringUnavailableException if io_uring is unavailable and the policy is {@code fail}
     */
    @Override
    public UringFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        String name = fileSystemName(uri);
        UringFileSystemConfig config = UringFileSystemConfig.fromEnv(env);
        synchronized (lock) {
            if (name == null ? defaultFs != null : named.containsKey(name)) {
                throw new FileSystemAlreadyExistsException(uri.toString());
            }
            UringFileSystem fs = new UringFileSystem(this, name, config);
            if (name == null) defaultFs = fs;
            else named.put(name, fs);
            return fs;
        }
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        String name = fileSystemName(uri);
        if (name == null) return defaultFileSystem();
        UringFileSystem fs = namedFileSystem(name);
        if (fs == null) throw new FileSystemNotFoundException(uri.toString());
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        return UringUris.fromUri(this, uri);
    }

    // ---- operations ----

    /**
     * {@code path} as a path of this provider. Any other provider's path is a
     * {@link ProviderMismatchException}, as with the JDK's providers, and that includes the paths
     * of the other uringfs provider: the {@code file:} front end ({@link UringDefaultFileSystemProvider})
     * and {@code uring:} are two providers over the same classes, whose paths must not mix silently.
     */
    UringPath own(Path path) {
        UringPath p = UringPath.toUringPath(path);
        if (p.getFileSystem().provider() != this) throw new ProviderMismatchException();
        return p;
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, TempFilePermissions.forFile(options, attrs));
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        UringPath p = own(path);
        return p.getFileSystem().register(ChannelFactory.newFileChannel(p.getFileSystem().io(), p.bytesForSyscall(),
                p.pathForMessage(), options, attrs));
    }

    /** Over an uninterruptible uring channel, with the JDK's option rules (see {@link ChannelFactory}). */
    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        UringPath p = own(path);
        return p.getFileSystem().register(
                ChannelFactory.newInputStream(p.getFileSystem().io(), p.bytesForSyscall(), p.pathForMessage(), options));
    }

    /** Over an uninterruptible uring channel, with the JDK's option rules (see {@link ChannelFactory}). */
    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        UringPath p = own(path);
        return p.getFileSystem().register(
                ChannelFactory.newOutputStream(p.getFileSystem().io(), p.bytesForSyscall(), p.pathForMessage(), options));
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        UringPath p = own(path);
        return p.getFileSystem().register(ChannelFactory.newAsynchronousFileChannel(p.getFileSystem().io(),
                p.bytesForSyscall(), p.pathForMessage(), options, executor, attrs));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return UringDirectoryStream.open(own(dir), filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        FileOperations.createDirectory(own(dir), TempFilePermissions.forDirectory(attrs));
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        FileOperations.createSymbolicLink(own(link), own(target), attrs);
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        FileOperations.createLink(own(link), own(existing));
    }

    @Override
    public void delete(Path path) throws IOException {
        FileOperations.delete(own(path), true);
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return FileOperations.delete(own(path), false);
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return FileOperations.readSymbolicLink(own(link));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        UringCopyFile.copy(own(source), target, options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        UringCopyFile.move(own(source), target, options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return FileOperations.isSameFile(own(path), path2);
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return FileOperations.isHidden(own(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return UringFileStore.of(own(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        FileOperations.checkAccess(own(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return UringFileAttributeViews.getFileAttributeView(own(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return UringFileAttributeViews.readAttributes(own(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        return UringFileAttributeViews.readAttributes(own(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        UringFileAttributeViews.setAttribute(own(path), attribute, value, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributesIfExists(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return FileOperations.readAttributesIfExists(own(path), type, options);
    }

    @Override
    public boolean exists(Path path, LinkOption... options) {
        return FileOperations.exists(own(path), options);
    }
}
