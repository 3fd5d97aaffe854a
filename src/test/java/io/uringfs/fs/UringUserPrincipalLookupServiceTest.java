package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Principal lookup: same answers as the default provider's service. */
class UringUserPrincipalLookupServiceTest {
    private final UserPrincipalLookupService jdk = FileSystems.getDefault().getUserPrincipalLookupService();
    private final UserPrincipalLookupService ours = ThreeProviders.uring(Path.of("/")).getFileSystem().getUserPrincipalLookupService();

    private interface Action { Object run() throws Exception; }

    private static String outcome(Action a) {
        try {
            Object r = a.run();
            return "= " + r.getClass().getInterfaces()[0].getSimpleName() + " " + r + " " + r.hashCode();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage()
                    + (e instanceof UserPrincipalNotFoundException u ? " name=" + u.getName() : "");
        }
    }

    @Test
    void sameAnswersAsTheDefaultProvider() {
        for (String name : new String[] {"root", "daemon", "nobody", "0", "12345", "-1", "no-such-user-xyz", "", "OWNER@",
                "GROUP@", "EVERYONE@", "root\u00e9", "99999999999"}) {
            assertEquals(outcome(() -> jdk.lookupPrincipalByName(name)), outcome(() -> ours.lookupPrincipalByName(name)), name);
            assertEquals(outcome(() -> jdk.lookupPrincipalByGroupName(name)), outcome(() -> ours.lookupPrincipalByGroupName(name)), name);
        }
        assertThrows(NullPointerException.class, () -> jdk.lookupPrincipalByName(null));
        assertThrows(NullPointerException.class, () -> ours.lookupPrincipalByName(null));
    }

    @Test
    void principalsWorkWithTheViews() throws IOException {
        assertSame(ours, ThreeProviders.uring(Path.of("/tmp")).getFileSystem().getUserPrincipalLookupService());
        var root = ours.lookupPrincipalByName("root");
        var rootGroup = ours.lookupPrincipalByGroupName("root");
        assertInstanceOf(java.nio.file.attribute.GroupPrincipal.class, rootGroup);
        assertNotEquals(root, rootGroup, "a user and a group with the same id differ");
        assertEquals(root, ours.lookupPrincipalByName("0"));
        assertFalse(root.equals(jdk.lookupPrincipalByName("root")), "principals of other providers differ");
        Path tmp = Files.createTempFile("owner", "");
        try {
            Path u = ThreeProviders.uring(tmp);
            Files.setOwner(u, root);
            assertEquals(root, Files.getOwner(u));
            Files.getFileAttributeView(u, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(
                    (java.nio.file.attribute.GroupPrincipal) rootGroup);
            assertEquals(rootGroup, Files.readAttributes(u, java.nio.file.attribute.PosixFileAttributes.class).group());
        } finally {
            Files.delete(tmp);
        }
    }
}
