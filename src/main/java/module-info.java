/**
 * uringfs: a {@code java.nio.file} provider (scheme {@code uring:}) whose file I/O runs on Linux
 * io_uring through the FFM API. Users need only the provider (found through the service loader);
 * {@code io.uringfs.fs} is exported for the file system's configuration and diagnostics
 * ({@code UringFileSystem.usesRing()}, {@code fallbackReason()}), {@code io.uringfs.engine} and
 * {@code io.uringfs.ring} for the engine configuration (ring factory, {@code RingSetupException}).
 */
module io.uringfs {
    // JFR events of the engine; optional: without jdk.jfr in the image they are inert (UringEvents).
    requires static jdk.jfr;

    exports io.uringfs.fs;
    exports io.uringfs.engine;
    exports io.uringfs.ring;

    provides java.nio.file.spi.FileSystemProvider with io.uringfs.fs.UringFileSystemProvider;
}
