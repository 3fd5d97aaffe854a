package io.uringfs.fs;

import io.uringfs.engine.Engine;
import io.uringfs.engine.Io;
import io.uringfs.engine.UringUnavailableException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * One {@code uring:} file system: a view of the whole Linux file tree whose operations run on its
 * own {@link Engine} (one io_uring and its completion thread), or on plain system calls when
 * io_uring is unavailable and the {@linkplain UringFileSystemConfig.Fallback fallback policy}
 * allows it.
 *
 * <p>The default file system ({@code uring:///}, {@link #name()} null) lives as long as its
 * provider and cannot be closed. Named ones ({@code uring://NAME/}) are created by
 * {@code FileSystems.newFileSystem}; closing one stops its engine (after the operations in flight
 * complete) and removes it from the provider, so the name can be reused.
 *
 * <p>Thread safety: safe for use by any number of threads; close is idempotent and may race with
 * operations, which then either complete or get {@link ClosedFileSystemException}.
 */
public final class UringFileSystem extends FileSystem {
    private static final System.Logger LOG = System.getLogger("io.uringfs");

    /** The views the default provider supports on Linux (LinuxFileSystem). */
    private static final Set<String> VIEWS = Set.of("basic", "posix", "unix", "owner", "dos", "user");

    private final UringFileSystemProvider provider;
    private final String name;
    private final UringFileSystemConfig config;
    private final Engine engine;
    private final Io io;
    private final String fallbackReason;
    private final UringPath root;
    private volatile boolean closed;
    /**
     * Channels and streams open on a named file system, closed with it as {@link FileSystem#close}
     * requires. Weak, so those their users close (or drop) need no unregistering. Guarded by this.
     */
    private final Set<Closeable> resources = Collections.newSetFromMap(new WeakHashMap<>());

    /**
     * Starts the engine according to the fallback policy.
     *
     * @throws UringUnavailableException with policy FAIL, when io_uring cannot be used
     */
    UringFileSystem(UringFileSystemProvider provider, String name, UringFileSystemConfig config)
            throws UringUnavailableException {
        this.provider = provider;
        this.name = name;
        this.config = config;
        this.root = new UringPath(this, new byte[] {'/'});
        Engine e = null;
        String reason = null;
        switch (config.fallback()) {
            case NEVER_RING -> reason = "io_uring not used (fallback policy never-ring)";
            case FAIL -> e = Engine.start(config.engine());
            case AUTO -> {
                try {
                    e = Engine.start(config.engine());
                } catch (UringUnavailableException x) {
                    reason = x.getMessage();
                    LOG.log(System.Logger.Level.WARNING, "{0}: io_uring unavailable, using plain system calls: {1}",
                            UringUris.prefix(provider.getScheme(), name), reason);
                }
            }
        }
        this.engine = e;
        this.fallbackReason = reason;
        this.io = new Io(e);
    }

    /** The file system's name ({@code uring://NAME/}), or null for the default file system. */
    public String name() {
        return name;
    }

    public UringFileSystemConfig config() {
        return config;
    }

    /**
     * The operation dispatcher.
     *
     * @throws ClosedFileSystemException if the file system is closed
     */
    public Io io() {
        if (closed) throw new ClosedFileSystemException();
        return io;
    }

    /** The engine, or null when running on plain system calls. */
    public Engine engine() {
        return engine;
    }

    public boolean usesRing() {
        return engine != null;
    }

    /** Why io_uring is not used, or null when it is. */
    public String fallbackReason() {
        return fallbackReason;
    }

    UringPath rootDirectory() {
        return root;
    }

    @Override
    public UringFileSystemProvider provider() {
        return provider;
    }

    /**
     * Closes a named file system: waits for the operations in flight, stops the engine, frees the
     * name. Idempotent.
     *
     * @throws UnsupportedOperationException for the default file system, like the default provider's
     */
    @Override
    public void close() throws IOException {
        if (name == null) throw new UnsupportedOperationException();
        List<Closeable> open;
        synchronized (this) {
            if (closed) return;
            closed = true;
            open = new ArrayList<>(resources);
            resources.clear();
        }
        IOException failure = null;
        try {
            // Channels first: each waits for its own ops, so none is left on the engine.
            for (Closeable c : open) {
                try {
                    c.close();
                } catch (IOException e) {
                    if (failure == null) failure = e; else failure.addSuppressed(e);
                }
            }
            if (engine != null) engine.close();
        } finally {
            provider.removeFileSystem(this);
        }
        if (failure != null) throw failure;
    }

    /**
     * Tracks a channel or stream just opened on this file system so that {@link #close} closes it.
     * The default file system cannot be closed and tracks nothing.
     *
     * @throws ClosedFileSystemException (after closing {@code resource}) if the file system was closed meanwhile
     */
    <T extends Closeable> T register(T resource) throws IOException {
        if (name == null) return resource;
        synchronized (this) {
            if (!closed) {
                resources.add(resource);
                return resource;
            }
        }
        resource.close();
        throw new ClosedFileSystemException();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(root);
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return UringFileStore.all(this);
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return VIEWS;
    }

    /** Joins the non-empty parts with "/" like UnixFileSystem.getPath, then parses. */
    @Override
    public UringPath getPath(String first, String... more) {
        Objects.requireNonNull(first);
        if (more.length == 0) return new UringPath(this, first);
        StringBuilder sb = new StringBuilder(first);
        for (String part : more) {
            if (!part.isEmpty()) {
                if (!sb.isEmpty()) sb.append('/');
                sb.append(part);
            }
        }
        return new UringPath(this, sb.toString());
    }

    /** {@code glob:} or {@code regex:} (case-insensitive), matched against {@code Path.toString()}. */
    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        int colon = syntaxAndPattern.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException();
        String syntax = syntaxAndPattern.substring(0, colon);
        String input = syntaxAndPattern.substring(colon + 1);
        String regex;
        if (syntax.equalsIgnoreCase("glob")) {
            regex = GlobTranslator.toRegex(input);
        } else if (syntax.equalsIgnoreCase("regex")) {
            regex = input;
        } else {
            throw new UnsupportedOperationException("Syntax '" + syntax + "' not recognized");
        }
        Pattern pattern = Pattern.compile(regex);
        return path -> pattern.matcher(path.toString()).matches();
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return UringUserPrincipalLookupService.INSTANCE;
    }

    @Override
    public WatchService newWatchService() throws IOException {
        return register(new UringWatchService(provider));
    }

    @Override
    public String toString() {
        return UringUris.prefix(provider.getScheme(), name);
    }
}
