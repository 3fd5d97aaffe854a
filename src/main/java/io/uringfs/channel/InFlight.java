package io.uringfs.channel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the operations running on one descriptor, so that closing can wait until none is left
 * before the descriptor is closed: a descriptor number must never be reused while the kernel may
 * still act on an op submitted for the old file.
 *
 * <p>{@link #enter()} fails once closing has begun. {@link #closeAndAwait(Runnable)} marks the
 * count closed, then asks for cancellation and waits until every op that entered has left; the
 * cancel request is repeated on each wake-up because an op may have entered just before closing
 * began but reached the ring only after the first cancel.
 *
 * <p>Thread safety: lock-free; one closer at a time (the channel's close runs once).
 */
final class InFlight {
    private static final int CLOSED = 1 << 30;
    private static final long RECANCEL_NANOS = 5_000_000L;

    private final AtomicInteger state = new AtomicInteger();
    private volatile Thread closer;

    /** Registers an op; false if the descriptor is closing (the op must not start). */
    boolean enter() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) return false;
        } while (!state.compareAndSet(s, s + 1));
        return true;
    }

    void exit() {
        if (state.decrementAndGet() == CLOSED) {
            Thread t = closer;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /** Stops new ops and returns once the running ones have all left; {@code cancel} nudges them. */
    void closeAndAwait(Runnable cancel) {
        closer = Thread.currentThread();
        if (state.addAndGet(CLOSED) == CLOSED) return;
        // The closer may be an interrupted thread (close runs inside Thread.interrupt of a blocked
        // reader); park would return at once, so the status is set aside while waiting.
        boolean interrupted = Thread.interrupted();
        try {
            while (state.get() != CLOSED) {
                cancel.run();
                LockSupport.parkNanos(this, RECANCEL_NANOS);
                if (Thread.interrupted()) interrupted = true;
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }
}
