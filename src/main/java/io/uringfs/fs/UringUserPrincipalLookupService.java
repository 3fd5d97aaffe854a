package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Looks principals up by name with {@code getpwnam_r}/{@code getgrnam_r} (C library calls through
 * FFM: the user database may come from NSS modules, so there is no system call to make), with the
 * JDK's {@code UnixUserPrincipals} rules: a name the database does not know may be a decimal uid or
 * gid, anything else is {@link UserPrincipalNotFoundException}; a failing lookup is an
 * {@link IOException} "name: strerror". Returns {@link UringUserPrincipals} principals, the ones
 * the owner and posix views accept.
 *
 * <p>Stateless and thread-safe (the {@code _r} functions are reentrant); one instance serves all.
 */
final class UringUserPrincipalLookupService extends UserPrincipalLookupService {
    static final UringUserPrincipalLookupService INSTANCE = new UringUserPrincipalLookupService();

    private static final Charset JNU = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    /** struct passwd and struct group on LP64: pw_uid and gr_gid both follow two pointers. */
    private static final long PASSWD_SIZE = 48, GROUP_SIZE = 32, ID_OFFSET = 16;
    private static final int INITIAL_BUFFER = 1024, MAX_BUFFER = 1 << 20;

    private UringUserPrincipalLookupService() {}

    @Override
    public UserPrincipal lookupPrincipalByName(String name) throws IOException {
        // the JDK's special (ACL) principals: id -1, told apart by name
        if (name.equals("OWNER@") || name.equals("GROUP@") || name.equals("EVERYONE@")) {
            return UringUserPrincipals.user(-1, name);
        }
        return UringUserPrincipals.user(lookup(name, false), name);
    }

    @Override
    public GroupPrincipal lookupPrincipalByGroupName(String group) throws IOException {
        return UringUserPrincipals.group(lookup(group, true), group);
    }

    private static int lookup(String name, boolean isGroup) throws IOException {
        int id = databaseId(name, isGroup);
        if (id != -1) return id;
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new UserPrincipalNotFoundException(nameForException(name));
        }
    }

    /**
     * Since JDK 25 the default provider leaves user names out of exceptions (an empty name) unless
     * the security property {@code jdk.includeInExceptions}, overridable by the system property of
     * the same name, lists {@code userInfo}.
     */
    private static String nameForException(String name) {
        String categories = System.getProperty("jdk.includeInExceptions");
        if (categories == null) categories = java.security.Security.getProperty("jdk.includeInExceptions");
        if (categories != null) {
            for (String c : categories.split(",")) {
                if (c.trim().equalsIgnoreCase("userInfo")) return name;
            }
        }
        return "";
    }

    /** The uid or gid the database has for {@code name}, or -1 when it has no entry. */
    private static int databaseId(String name, boolean isGroup) throws IOException {
        for (int size = INITIAL_BUFFER; ; size *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cname = arena.allocateFrom(name, JNU);
                MemorySegment entry = arena.allocate(isGroup ? GROUP_SIZE : PASSWD_SIZE, 8);
                MemorySegment buf = arena.allocate(size);
                MemorySegment result = arena.allocate(ADDRESS);
                int r = isGroup ? Syscalls.getgrnamR(cname, entry, buf, size, result)
                                : Syscalls.getpwnamR(cname, entry, buf, size, result);
                if (r == -Errno.ERANGE && size < MAX_BUFFER) continue;
                // errors that mean "no such entry" for some NSS back ends, as the JDK treats them
                if (r == 0 || r == -Errno.ENOENT || r == -Errno.ESRCH || r == -Errno.EBADF || r == -Errno.EPERM) {
                    if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) return -1;
                    MemorySegment entryName = entry.get(ADDRESS, 0).reinterpret(1);
                    if (entryName.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) == 0) return -1;
                    return entry.get(JAVA_INT, ID_OFFSET);
                }
                throw new IOException(nameForException(name) + ": " + Errno.message(-r));
            }
        }
    }
}
