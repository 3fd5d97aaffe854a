package io.uringfs.fs;

import io.uringfs.channel.ChannelFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Objects;

/**
 * uringfs as the JVM's default provider, so that unmodified code ({@code Path.of("x")},
 * {@code Files.*}, {@code File.toPath()}, {@code Path.toFile()}) runs on io_uring:
 * <pre>
 *   java -Djava.nio.file.spi.DefaultFileSystemProvider=io.uringfs.fs.UringDefaultFileSystemProvider \
 *        --enable-native-access=ALL-UNNAMED ...
 * </pre>
 * The JDK requires scheme {@code file} and a public constructor taking its own default provider.
 * This is the {@code uring:} provider's code under scheme {@code file}: one file system
 * ({@code file:///}, configured from {@code uringfs.*} system properties), whose paths' URIs are
 * {@code file:} URIs. {@code toFile()} works because that file system is then
 * {@code FileSystems.getDefault()}. The JDK's provider is used for one thing only:
 * {@code FileChannel.map} lets a channel of the JDK's create the mapping, and that channel must not
 * be a uring one (see {@link ChannelFactory#useBuiltInProvider}).
 *
 * <p>Thread safety: as {@link UringFileSystemProvider}.
 */
public final class UringDefaultFileSystemProvider extends UringFileSystemProvider {
    static final String SCHEME = "file";

    /**
     * Called by the JDK when the system property names this class.
     *
     * @param jdkDefault the JDK's built-in default provider, used only to create mappings
     */
    public UringDefaultFileSystemProvider(FileSystemProvider jdkDefault) {
        super(SCHEME);
        ChannelFactory.useBuiltInProvider(Objects.requireNonNull(jdkDefault));
    }

    /** The default provider's URI rules: {@code file:///} only. */
    private static void checkUri(URI uri) {
        if (!uri.getScheme().equalsIgnoreCase(SCHEME)) throw new IllegalArgumentException("URI does not match this provider");
        if (uri.getRawAuthority() != null) throw new IllegalArgumentException("Authority component present");
        String path = uri.getPath();
        if (path == null) throw new IllegalArgumentException("Path component is undefined");
        if (!path.equals("/")) throw new IllegalArgumentException("Path component should be '/'");
        if (uri.getRawQuery() != null) throw new IllegalArgumentException("Query component present");
        if (uri.getRawFragment() != null) throw new IllegalArgumentException("Fragment component present");
    }

    /** There is only the one file system, which always exists, as with the JDK's provider. */
    @Override
    public UringFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        checkUri(uri);
        throw new FileSystemAlreadyExistsException();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        checkUri(uri);
        return defaultFileSystem();
    }
}
