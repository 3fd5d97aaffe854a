package io.uringfs.fs;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random path strings over a small alphabet rich in separators and dots: every single-path and
 * pair operation of {@code uring:} must give the default provider's result. The seed is fixed;
 * jqwik prints it (and the shrunk counterexample) on failure.
 */
class PathAlgebraPropertyTest {
    private static final FileSystem URING = FileSystems.getFileSystem(URI.create("uring:///"));

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.strings().withChars('a', 'b', '.', '/', ' ', '%', 'é').ofMinLength(0).ofMaxLength(14);
    }

    @Property(tries = 3000, seed = "20250917")
    void singlePathOperationsMatch(@ForAll("paths") String s) {
        List<String> diffs = new ArrayList<>();
        PathAlgebraDifferentialTest.diff("'" + s + "'", PathOps.single(FileSystems.getDefault(), s, true),
                PathOps.single(URING, s, true), diffs);
        assertEquals(List.of(), diffs);
    }

    @Property(tries = 5000, seed = "20250918")
    void pairOperationsMatch(@ForAll("paths") String s, @ForAll("paths") String t) {
        Map<String, String> expected = PathOps.pair(FileSystems.getDefault(), s, t);
        if (expected.getOrDefault("resolve(q,p,q)", "").indexOf('\u0000') >= 0) {
            // the JDK's resolve(Path, Path...) bug, see PathAlgebraDifferentialTest
            expected.put("resolve(q,p,q)", expected.get("resolve.resolve.resolve"));
        }
        List<String> diffs = new ArrayList<>();
        PathAlgebraDifferentialTest.diff("'" + s + "' | '" + t + "'", expected, PathOps.pair(URING, s, t), diffs);
        assertEquals(List.of(), diffs);
    }

    @Property(tries = 1000, seed = "20250919")
    void uriRoundTripsAndMatchesFileUris(@ForAll("paths") String s) {
        Path p = URING.getPath(s);
        URI uri = p.toUri();
        assertEquals(PathOps.schemeless(Path.of(s).toUri()), PathOps.schemeless(uri));
        assertEquals(p.toAbsolutePath(), Path.of(uri));
    }
}
