package io.uringfs.reliability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Permissions are the kernel's: an unprivileged process (a child JVM under
 * {@code setpriv --reuid=65534 --regid=65534 --clear-groups}) gets exactly the default provider's
 * outcome through {@code uring:}: {@code AccessDeniedException} for a root-owned 0600 file, a
 * successful read but denied write for a 0644 one. The child works on a virtual thread, so its
 * opens are uringfs's cached {@code openat2} tries and ring OPENAT ops (those with {@code CREATE},
 * whose {@code EACCES} must come from a CQE: checked by the child's engine counts). Needs root
 * and setpriv; skipped otherwise.
 */
class PermissionTest {
    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Test
    void unprivilegedUserGetsTheKernelsAnswerLikeTheDefaultProvider() throws Exception {
        String uid = run(List.of("id", "-u")).trim();
        if (!uid.equals("0")) abort("needs root to prepare files for another user; running as uid " + uid);
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (!Files.isExecutable(setpriv)) abort("setpriv (util-linux) not found at " + setpriv);
        // Not @TempDir: that is 0700 and the unprivileged child could not even traverse it.
        dir = Files.createTempDirectory(Path.of("/tmp"), "uringfs-perm",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(dir.resolve("secret"), "root only");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path open = Files.writeString(dir.resolve("public"), "anyone may read");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(classPathReadableByOthers(), "test classes not readable by other users: " + ChildJvm.classPath());

        ProcessBuilder pb = ChildJvm.builder(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"),
                PermissionProbe.class, secret.toString(), open.toString()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch("ring true"::equals), "the child did not run on io_uring:\n" + out);

        Map<String, String> file = new TreeMap<>(), uring = new TreeMap<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("file ")) file.put(line.substring(5).split(" -> ")[0], line.substring(line.indexOf(" -> ") + 4));
            if (line.startsWith("uring ")) uring.put(line.substring(6).split(" -> ")[0], line.substring(line.indexOf(" -> ") + 4));
        }
        assertEquals(8, file.size(), out);
        assertEquals(file, uring, "outcomes differ between file: and uring: for uid 65534:\n" + out);
        String denied = "java.nio.file.AccessDeniedException: " + secret;
        assertEquals(denied, uring.get("channel-read " + secret));
        assertEquals(denied, uring.get("readAllBytes " + secret));
        assertEquals("read 15", uring.get("readAllBytes " + open));
        assertEquals("java.nio.file.AccessDeniedException: " + open, uring.get("write " + open));
        for (Path f : List.of(secret, open)) {
            assertEquals("java.nio.file.AccessDeniedException: " + f, uring.get("create-write " + f));
            assertTrue(out.lines().anyMatch(l -> l.startsWith("ring-opens create-write " + f + " ") && !l.endsWith(" 0")),
                    "the EACCES of an O_CREAT open did not come from a ring OPENAT:\n" + out);
        }
    }

    private static boolean classPathReadableByOthers() throws Exception {
        for (String entry : ChildJvm.classPath().split(File.pathSeparator)) {
            for (Path p = Path.of(entry); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) return false;
            }
        }
        return true;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
