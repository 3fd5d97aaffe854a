package io.uringfs.fs;

import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A registration of one directory with a {@link UringWatchService} (one inotify watch descriptor).
 * Event bookkeeping follows the JDK's watch keys so that users see the same lists: a repeat of the
 * last event (same kind and name) only raises its count, a modify of a name whose last event is a
 * pending modify raises that event's count, and past {@code jdk.nio.file.WatchService.maxEventsPerPoll}
 * (512) pending events they are dropped for one OVERFLOW.
 *
 * <p>Thread safety: event list and state are guarded by this key's monitor; the watch descriptor
 * is volatile (cleared once when the key becomes invalid).
 */
final class UringWatchKey implements WatchKey {
    static final int MAX_EVENTS = maxEvents();

    private enum State { READY, SIGNALLED }

    private final UringWatchService watcher;
    private final UringPath dir;
    private volatile int wd;
    private State state = State.READY;
    private List<WatchEvent<?>> events = new ArrayList<>();
    /** The pending ENTRY_MODIFY event of each name whose last event is a modify. */
    private final Map<Object, Event<?>> lastModify = new HashMap<>();

    UringWatchKey(UringWatchService watcher, UringPath dir, int wd) {
        this.watcher = watcher;
        this.dir = dir;
        this.wd = wd;
    }

    private static int maxEvents() {
        try {
            return Math.clamp(Long.decode(System.getProperty("jdk.nio.file.WatchService.maxEventsPerPoll", "512")),
                    1, Integer.MAX_VALUE - 8);
        } catch (NumberFormatException e) {
            return 512;
        }
    }

    int descriptor() {
        return wd;
    }

    /** Marks the key invalid (the watch is gone or being removed by the caller). */
    void invalidate() {
        wd = -1;
    }

    @Override
    public boolean isValid() {
        return wd != -1;
    }

    @Override
    public void cancel() {
        if (isValid()) watcher.cancel(this);
    }

    @Override
    public UringPath watchable() {
        return dir;
    }

    /** Queues the key to the service if it is ready (not already queued or being processed). */
    synchronized void signal() {
        if (state == State.READY) {
            state = State.SIGNALLED;
            watcher.enqueue(this);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    synchronized void signalEvent(WatchEvent.Kind<?> kind, Object context) {
        boolean isModify = kind == StandardWatchEventKinds.ENTRY_MODIFY;
        int size = events.size();
        if (size > 0) {
            Event<?> prev = (Event<?>) events.get(size - 1);
            if (prev.kind() == StandardWatchEventKinds.OVERFLOW
                    || (prev.kind() == kind && Objects.equals(prev.context(), context))) {
                prev.count++;
                return;
            }
            if (!lastModify.isEmpty()) {
                if (isModify) {
                    Event<?> pending = lastModify.get(context);
                    if (pending != null) {
                        pending.count++;
                        return;
                    }
                } else {
                    lastModify.remove(context);
                }
            }
            if (size >= MAX_EVENTS) {
                kind = StandardWatchEventKinds.OVERFLOW;
                isModify = false;
                context = null;
            }
        }
        Event<?> ev = new Event(kind, context);
        if (isModify) {
            lastModify.put(context, ev);
        } else if (kind == StandardWatchEventKinds.OVERFLOW) {
            events.clear();
            lastModify.clear();
        }
        events.add(ev);
        signal();
    }

    @Override
    public synchronized List<WatchEvent<?>> pollEvents() {
        List<WatchEvent<?>> result = events;
        events = new ArrayList<>();
        lastModify.clear();
        return result;
    }

    @Override
    public synchronized boolean reset() {
        if (state == State.SIGNALLED && isValid()) {
            if (events.isEmpty()) state = State.READY;
            else watcher.enqueue(this);
        }
        return isValid();
    }

    private static final class Event<T> implements WatchEvent<T> {
        private final WatchEvent.Kind<T> kind;
        private final T context;
        private int count = 1;  // guarded by the key

        Event(WatchEvent.Kind<T> kind, T context) {
            this.kind = kind;
            this.context = context;
        }

        @Override public WatchEvent.Kind<T> kind() { return kind; }
        @Override public T context() { return context; }
        @Override public int count() { return count; }
    }
}
