package io.uringfs.fs;

import io.uringfs.engine.Errno;
import io.uringfs.ring.LinuxAbi;
import io.uringfs.ring.NativeMemory;
import io.uringfs.ring.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A watch service on inotify delivering the same events as the JDK's {@code LinuxWatchService}:
 * ENTRY_CREATE for IN_CREATE/IN_MOVED_TO, ENTRY_DELETE for IN_DELETE/IN_MOVED_FROM, ENTRY_MODIFY for
 * IN_MODIFY/IN_ATTRIB, OVERFLOW for a full inotify queue; a key whose directory goes away
 * (IN_IGNORED) is signalled and becomes invalid.
 *
 * <p>Design: one daemon platform thread per service polls the inotify descriptor and an eventfd
 * (used to stop it) with {@code poll(2)} and reads events with plain {@code read(2)}. A platform
 * thread, not a virtual one, because it blocks in native code for as long as the service lives.
 * Unlike the JDK, registration and cancellation are not handed to that thread: inotify calls are
 * thread-safe, and the watch-descriptor map lock (held while events are dispatched) keeps a new
 * watch's first events from arriving before its key is in the map.
 *
 * <p>Thread safety: all public methods may be called from any thread.
 */
final class UringWatchService implements WatchService {
    private static final int IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80,
            IN_CREATE = 0x100, IN_DELETE = 0x200, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000;
    private static final int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    private static final int POLLIN = 1;
    private static final int BUFFER_SIZE = 8192;
    private static final long EVENT_HEADER = 16;

    /** The provider whose paths may register here (not the other uringfs provider's: see {@link UringFileSystemProvider#own}). */
    private final UringFileSystemProvider provider;
    private final int ifd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = NativeMemory.allocate(arena, BUFFER_SIZE, 8);
    private final MemorySegment pollFds = NativeMemory.allocate(arena, 16, 8);
    /** Watch descriptor to key; also the lock for registration, cancellation and dispatch. */
    private final Map<Integer, UringWatchKey> keys = new HashMap<>();
    private final LinkedBlockingDeque<WatchKey> pending = new LinkedBlockingDeque<>();
    /** Queued on close to wake every thread blocked in take/poll; never handed out. */
    private final WatchKey closeKey;
    private final Thread poller;
    private volatile boolean closed;

    UringWatchService(UringFileSystemProvider provider) throws IOException {
        this.provider = provider;
        int fd = Syscalls.inotifyInit1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
            throw new IOException(fd == -Errno.EMFILE ? "User limit of inotify instances reached or too many open files"
                                                : Errno.message(-fd));
        }
        int efd = Syscalls.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            Syscalls.close(fd);
            arena.close();
            throw new IOException(Errno.message(-efd));
        }
        this.ifd = fd;
        this.wakeFd = efd;
        this.closeKey = new UringWatchKey(this, null, 0);
        pollFds.set(ValueLayout.JAVA_INT, 0, ifd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, (short) POLLIN);
        this.poller = Thread.ofPlatform().daemon().name("uringfs-watcher").unstarted(this::run);
        poller.start();
    }

    /** {@code UringPath.register}: checks the watcher's type, then registers. */
    static WatchKey register(UringPath dir, WatchService watcher, WatchEvent.Kind<?>[] events,
                             WatchEvent.Modifier... modifiers) throws IOException {
        if (watcher == null) throw new NullPointerException();
        if (!(watcher instanceof UringWatchService service) || service.provider != dir.getFileSystem().provider()) {
            throw new ProviderMismatchException();
        }
        return service.register(dir, events, modifiers);
    }

    private WatchKey register(UringPath dir, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        int mask = 0;
        for (WatchEvent.Kind<?> kind : events) {
            if (kind == StandardWatchEventKinds.ENTRY_CREATE) mask |= IN_CREATE | IN_MOVED_TO;
            else if (kind == StandardWatchEventKinds.ENTRY_DELETE) mask |= IN_DELETE | IN_MOVED_FROM;
            else if (kind == StandardWatchEventKinds.ENTRY_MODIFY) mask |= IN_MODIFY | IN_ATTRIB;
            else if (kind == StandardWatchEventKinds.OVERFLOW) continue; // always delivered
            else if (kind == null) throw new NullPointerException("An element in event set is 'null'");
            else throw new UnsupportedOperationException(kind.name());
        }
        if (mask == 0) throw new IllegalArgumentException("No events to register");
        if (closed) throw new ClosedWatchServiceException();
        for (WatchEvent.Modifier m : modifiers) {
            if (m == null) throw new NullPointerException();
            if (!isSensitivity(m)) throw new UnsupportedOperationException("Modifier not supported");
        }
        int type = PathStat.type(dir, true);
        if (type < 0) throw Errno.toException(-type, dir.pathForMessage());
        if (type != LinuxAbi.S_IFDIR) throw new NotDirectoryException(dir.pathForMessage());
        synchronized (keys) {
            if (closed) throw new ClosedWatchServiceException();
            int wd;
            try (Arena a = Arena.ofConfined()) {
                wd = Syscalls.inotifyAddWatch(ifd, dir.toCString(a), mask);
            }
            if (wd == -Errno.ENOSPC) throw new IOException("User limit of inotify watches reached");
            if (wd < 0) throw Errno.toException(-wd, dir.pathForMessage());
            // registering a directory again replaces its mask and keeps its key
            return keys.computeIfAbsent(wd, w -> new UringWatchKey(this, dir, w));
        }
    }

    /**
     * The JDK accepts (and ignores) its {@code com.sun.nio.file.SensitivityWatchEventModifier}
     * values; matched by name to need nothing from the {@code jdk.unsupported} module.
     */
    private static boolean isSensitivity(WatchEvent.Modifier m) {
        return m instanceof Enum<?> e && e.getDeclaringClass().getName().equals("com.sun.nio.file.SensitivityWatchEventModifier");
    }

    void cancel(UringWatchKey key) {
        synchronized (keys) {
            int wd = key.descriptor();
            if (wd == -1) return;
            keys.remove(wd);
            key.invalidate();
            Syscalls.inotifyRmWatch(ifd, wd);
        }
    }

    void enqueue(WatchKey key) {
        pending.offer(key);
    }

    // ---- WatchService ----

    private WatchKey checked(WatchKey key) {
        if (key == closeKey) pending.offer(key); // leave it for other waiting threads
        if (closed) throw new ClosedWatchServiceException();
        return key;
    }

    @Override
    public WatchKey poll() {
        if (closed) throw new ClosedWatchServiceException();
        return checked(pending.poll());
    }

    @Override
    public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (closed) throw new ClosedWatchServiceException();
        return checked(pending.poll(timeout, unit));
    }

    @Override
    public WatchKey take() throws InterruptedException {
        if (closed) throw new ClosedWatchServiceException();
        return checked(pending.take());
    }

    @Override
    public void close() throws IOException {
        synchronized (keys) {
            if (closed) return;
            closed = true;
            for (UringWatchKey key : keys.values()) {
                Syscalls.inotifyRmWatch(ifd, key.descriptor());
                key.invalidate();
            }
            keys.clear();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(ValueLayout.JAVA_LONG, 1L); // adds 1 to the counter: readable
            Syscalls.write(wakeFd, one, 8);
        }
        // like the JDK's, close returns once the poller has released the descriptors
        boolean interrupted = false;
        while (poller.isAlive()) {
            try {
                poller.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        pending.clear();
        pending.offer(closeKey);
    }

    // ---- the poller thread ----

    private void run() {
        try {
            while (!closed) {
                int n = Syscalls.poll(pollFds, 2, -1);
                if (n == -Errno.EINTR) continue;
                if (n < 0) throw new IllegalStateException("poll: " + Errno.message(-n));
                long read = Syscalls.read(ifd, buffer, BUFFER_SIZE);
                if (read > 0) dispatch((int) read);
                else if (read < 0 && read != -Errno.EAGAIN && read != -Errno.EINTR) {
                    throw new IllegalStateException("read inotify: " + Errno.message((int) -read));
                }
            }
        } finally {
            Syscalls.close(ifd);
            Syscalls.close(wakeFd);
            arena.close();
        }
    }

    private void dispatch(int length) {
        synchronized (keys) {
            for (int off = 0; off < length; ) {
                int wd = buffer.get(ValueLayout.JAVA_INT, off);
                int mask = buffer.get(ValueLayout.JAVA_INT, off + 4L);
                int len = buffer.get(ValueLayout.JAVA_INT, off + 12L);
                event(wd, mask, len > 0 ? name(off + EVENT_HEADER, len) : null);
                off += (int) EVENT_HEADER + len;
            }
        }
    }

    /** The event's file name bytes (NUL-padded to {@code len}), or null if empty. */
    private byte[] name(long offset, int len) {
        int actual = len;
        while (actual > 0 && buffer.get(ValueLayout.JAVA_BYTE, offset + actual - 1) == 0) actual--;
        return actual == 0 ? null : buffer.asSlice(offset, actual).toArray(ValueLayout.JAVA_BYTE);
    }

    private void event(int wd, int mask, byte[] name) {
        if ((mask & IN_Q_OVERFLOW) != 0) {
            for (UringWatchKey key : keys.values()) key.signalEvent(StandardWatchEventKinds.OVERFLOW, null);
            return;
        }
        UringWatchKey key = keys.get(wd);
        if (key == null) return; // cancelled: the kernel's IN_IGNORED for it arrives after
        if ((mask & IN_IGNORED) != 0) {
            keys.remove(wd);
            key.invalidate();
            key.signal();
            return;
        }
        if (name == null) return; // an event on the directory itself
        WatchEvent.Kind<?> kind = kind(mask);
        // the name is a path of the watched directory's file system (a service may watch several)
        if (kind != null) key.signalEvent(kind, new UringPath(key.watchable().getFileSystem(), name));
    }

    private static WatchEvent.Kind<?> kind(int mask) {
        if ((mask & (IN_MODIFY | IN_ATTRIB)) != 0) return StandardWatchEventKinds.ENTRY_MODIFY;
        if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) return StandardWatchEventKinds.ENTRY_CREATE;
        if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) return StandardWatchEventKinds.ENTRY_DELETE;
        return null;
    }
}
