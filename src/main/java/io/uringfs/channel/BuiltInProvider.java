package io.uringfs.channel;

import java.nio.file.FileSystems;
import java.nio.file.spi.FileSystemProvider;

/**
 * The JDK's built-in default provider, through which {@link UringFileChannel#map} opens the
 * channel that creates the mapping. It must never be uringfs: with uringfs installed as the JVM's
 * default provider, a path opened through {@link FileSystems#getDefault()} would give a uring
 * channel again, whose {@code map} would open another one, without end.
 *
 * <p>When uringfs is installed as the default provider, the JDK hands its own provider to the
 * front end's constructor, which records it here ({@link ChannelFactory#useBuiltInProvider});
 * otherwise the default file system's provider is the built-in one. {@link #get} first initializes
 * the default file system, so that the front end, if installed, has been constructed (and has
 * recorded the built-in provider) before the answer is chosen.
 *
 * <p>Thread safety: a volatile reference, set once.
 */
final class BuiltInProvider {
    private static volatile FileSystemProvider recorded;

    private BuiltInProvider() {}

    /** Records the JDK's provider the first time; later calls (front ends made by hand) change nothing. */
    static void record(FileSystemProvider jdk) {
        synchronized (BuiltInProvider.class) {
            if (recorded == null) recorded = jdk;
        }
    }

    static FileSystemProvider get() {
        FileSystemProvider dflt = FileSystems.getDefault().provider();
        FileSystemProvider jdk = recorded;
        return jdk != null ? jdk : dflt;
    }
}
