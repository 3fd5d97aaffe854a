package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class ProviderSmokeTest {
    @Test
    void defaultFileSystemIsInstalledAndRoundTripsAUri() {
        Path p = Path.of(URI.create("uring:///tmp/a%20b"));
        assertInstanceOf(UringPath.class, p);
        assertEquals("/tmp/a b", p.toString());
        assertSame(p.getFileSystem(), FileSystems.getFileSystem(URI.create("uring:///")));
        assertEquals(URI.create("uring:///tmp/"), Path.of(URI.create("uring:///tmp")).toUri());
        assertEquals(p, Path.of(p.toUri()));
    }
}
