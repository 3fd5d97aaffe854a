package io.uringfs.channel;

import java.nio.channels.Channel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM-wide table of locks held through uring channels, keyed by file identity (device,
 * inode), so that a second lock on an overlapping range of the same file throws
 * {@link OverlappingFileLockException} whichever channel asks, as with the default provider. The
 * kernel lock itself is taken only after the table entry, and the entry is removed when the lock
 * is released or its channel closes.
 *
 * <p>Thread safety: each file's list is guarded by its own monitor; an empty list is removed
 * from the map while holding it, and adders re-check that their list is still the mapped one.
 */
final class LockTable {
    private static final ConcurrentHashMap<FileKey, List<FileLock>> LOCKS = new ConcurrentHashMap<>();

    private LockTable() {}

    /** Records {@code lock} on {@code key}, or throws if it overlaps a lock already held in this JVM. */
    static void add(FileKey key, FileLock lock) {
        while (true) {
            List<FileLock> list = LOCKS.computeIfAbsent(key, k -> new ArrayList<>(2));
            synchronized (list) {
                if (LOCKS.get(key) != list) continue; // emptied and removed meanwhile
                for (FileLock l : list) {
                    if (l.overlaps(lock.position(), lock.size())) throw new OverlappingFileLockException();
                }
                list.add(lock);
                return;
            }
        }
    }

    static void remove(FileKey key, FileLock lock) {
        List<FileLock> list = LOCKS.get(key);
        if (list == null) return;
        synchronized (list) {
            list.remove(lock);
            if (list.isEmpty()) LOCKS.remove(key, list);
        }
    }

    /** Removes and returns every lock {@code channel} holds on {@code key}. */
    static List<FileLock> removeAll(FileKey key, Channel channel) {
        List<FileLock> out = new ArrayList<>();
        List<FileLock> list = LOCKS.get(key);
        if (list == null) return out;
        synchronized (list) {
            list.removeIf(l -> {
                if (l.acquiredBy() != channel) return false;
                out.add(l);
                return true;
            });
            if (list.isEmpty()) LOCKS.remove(key, list);
        }
        return out;
    }
}
