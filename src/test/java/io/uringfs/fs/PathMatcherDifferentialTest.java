package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** getPathMatcher: glob and regex syntax, matches and errors, against the default provider. */
class PathMatcherDifferentialTest {
    static final FileSystem URING = FileSystems.getFileSystem(URI.create("uring:///"));

    static final List<String> PATTERNS = List.of(
            "glob:*", "glob:**", "glob:*.java", "glob:**/*.java", "glob:*.{java,class}", "glob:{a,b}/*",
            "glob:{,a}", "glob:{}", "glob:?", "glob:??", "glob:a?c", "glob:[abc]", "glob:[!abc]", "glob:[a-c]x",
            "glob:[!a-c]", "glob:[-a]", "glob:[^a]", "glob:[a-]", "glob:[]]", "glob:[a\\]]", "glob:[[]", "glob:[&&a]",
            "glob:[a&&b]", "glob:[c-a]", "glob:[a-c-e]", "glob:[-]", "glob:[!-]", "glob:[a/b]", "glob:[", "glob:[a",
            "glob:[a-", "glob:{a,{b}}", "glob:{a", "glob:a}", "glob:a,b", "glob:\\", "glob:\\*", "glob:\\a", "glob:a\\{b",
            "glob:.*", "glob:a+b", "glob:(a)", "glob:a|b", "glob:^a$", "glob:/**", "glob:/*/b", "glob:**/", "glob:*/",
            "glob:é*", "glob:", "GLOB:*.java", "Glob:a", "regex:.*", "regex:a|b", "regex:[a-", "regex:", "REGEX:a.*",
            "glob", "", ":a", "foo:a", "unknown:", "glob:a:b", "glob:[[:alpha:]]", "glob:{a,b,c}{d,e}", "glob:***",
            "glob:a**b", "glob:*\\**");

    static final List<String> PATHS = List.of(
            "", "a", "b", "c", "x", "ax", "abc", "a/b", "a/b/c", "/a", "/a/b", "Foo.java", "src/Foo.java", "Foo.class",
            "a.b", ".hidden", "-", "]", "[", "&", "^", "a+b", "(a)", "a|b", "a,b", "a:b", "é", "éa", "*", "a*b",
            "a{b", "aa", "ab/", "{}", "{a}");

    @Test
    void matchesAndErrorsAreTheDefaultProvidersForEveryPatternAndPath() {
        List<String> diffs = new ArrayList<>();
        int matches = 0;
        for (String pattern : PATTERNS) {
            String expectedCreate = PathOps.outcome(() -> FileSystems.getDefault().getPathMatcher(pattern) != null);
            String actualCreate = PathOps.outcome(() -> URING.getPathMatcher(pattern) != null);
            if (!expectedCreate.equals(actualCreate)) {
                diffs.add(pattern + ": file=" + expectedCreate + " uring=" + actualCreate);
                continue;
            }
            if (expectedCreate.startsWith("!")) continue;
            PathMatcher fm = FileSystems.getDefault().getPathMatcher(pattern);
            PathMatcher um = URING.getPathMatcher(pattern);
            for (String p : PATHS) {
                boolean expected = fm.matches(Path.of(p));
                if (expected) matches++;
                if (expected != um.matches(URING.getPath(p))) diffs.add(pattern + " ~ '" + p + "': file=" + expected);
                // a matcher matches any provider's path on its string
                if (expected != um.matches(Path.of(p))) diffs.add(pattern + " ~ file '" + p + "'");
            }
        }
        assertEquals(List.of(), diffs);
        assertTrue(matches > 100, "the table has matching cases: " + matches);
    }

    @Test
    void nullPatternIsNpe() {
        // the helpful NPE text names a parameter, so only the class can be compared
        assertThrows(NullPointerException.class, () -> FileSystems.getDefault().getPathMatcher(null));
        assertThrows(NullPointerException.class, () -> URING.getPathMatcher(null));
    }
}
