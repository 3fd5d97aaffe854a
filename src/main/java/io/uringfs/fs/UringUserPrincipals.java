package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * The user and group principals of uring file systems, with the JDK's {@code UnixUserPrincipals}
 * semantics: a principal is a uid or gid plus the name it was found or looked up by; principals
 * are equal when their ids (and kinds) are equal; {@code toString()} and {@code getName()} are the
 * name. Names of file owners are resolved with {@code getpwuid_r}/{@code getgrgid_r} (through
 * {@link Syscalls}); an id without a database entry is named by its decimal number, as the JDK does.
 *
 * <p>For the {@code UserPrincipalLookupService}: create principals with {@link #user(int, String)}
 * and {@link #group(int, String)} so that {@code PosixFileAttributeView.setOwner/setGroup}, which
 * accept only these classes (anything else: {@code ProviderMismatchException}), take them.
 *
 * <p>Thread safety: immutable principals; lookups are reentrant (the {@code _r} functions).
 */
public final class UringUserPrincipals {
    private UringUserPrincipals() {}

    private static final Charset JNU = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    private static final long PASSWD_SIZE = 48, GROUP_SIZE = 32;
    private static final int INITIAL_BUFFER = 1024, MAX_BUFFER = 1 << 20;

    /** A user, or (subclass) a group; the id is a uid or gid. */
    public static sealed class User implements UserPrincipal permits Group {
        private final int id;
        private final boolean isGroup;
        private final String name;

        private User(int id, boolean isGroup, String name) {
            this.id = id;
            this.isGroup = isGroup;
            this.name = name;
        }

        /** The uid (users) or gid (groups). */
        public int id() {
            return id;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }

        @Override
        public boolean equals(Object obj) {
            if (obj == this) return true;
            if (!(obj instanceof User other)) return false;
            if (id != other.id || isGroup != other.isGroup) return false;
            // ids of -1 are the special (ACL) principals, told apart by name
            return id != -1 || name.equals(other.name);
        }

        @Override
        public int hashCode() {
            return id != -1 ? id : name.hashCode();
        }
    }

    public static final class Group extends User implements GroupPrincipal {
        private Group(int id, String name) {
            super(id, true, name);
        }
    }

    public static User user(int uid, String name) {
        return new User(uid, false, name);
    }

    public static Group group(int gid, String name) {
        return new Group(gid, name);
    }

    /** The owner principal for {@code uid}, named from the user database. */
    public static User fromUid(int uid) {
        String name = lookupName(uid, false);
        return user(uid, name != null ? name : Integer.toString(uid));
    }

    /** The group principal for {@code gid}, named from the group database. */
    public static Group fromGid(int gid) {
        String name = lookupName(gid, true);
        return group(gid, name != null ? name : Integer.toString(gid));
    }

    /** The name of the entry for {@code id}, or null if there is none (or it has an empty name). */
    private static String lookupName(int id, boolean isGroup) {
        for (int size = INITIAL_BUFFER; size <= MAX_BUFFER; size *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment entry = arena.allocate(isGroup ? GROUP_SIZE : PASSWD_SIZE, 8);
                MemorySegment buf = arena.allocate(size);
                MemorySegment result = arena.allocate(ADDRESS);
                int r = isGroup ? Syscalls.getgrgidR(id, entry, buf, size, result)
                                : Syscalls.getpwuidR(id, entry, buf, size, result);
                if (r == -Errno.ERANGE) continue;
                if (r != 0 || result.get(ADDRESS, 0).equals(MemorySegment.NULL)) return null;
                // pw_name and gr_name are the first member of their struct
                MemorySegment name = entry.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE);
                String s = name.getString(0, JNU);
                return s.isEmpty() ? null : s;
            }
        }
        return null;
    }
}
