package io.uringfs.engine;

import io.uringfs.ring.IoUring;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one engine, for tests, benchmarks and diagnostics. Cheap to update from any thread.
 */
public final class EngineStats {
    final LongAdder completed = new LongAdder();
    final LongAdder strayCompletions = new LongAdder();
    final LongAdder enterCalls = new LongAdder();
    final LongAdder inlineReaps = new LongAdder();
    final LongAdder parkedWaits = new LongAdder();
    final LongAdder briefWaits = new LongAdder();
    final LongAdder completionThreadReaps = new LongAdder();
    final LongAdder slotWaits = new LongAdder();
    final LongAdder ringWaits = new LongAdder();
    final LongAdder sqFull = new LongAdder();
    final LongAdder busy = new LongAdder();
    final LongAdder cqOverflows = new LongAdder();
    final LongAdder cancels = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder handedOn = new LongAdder();
    final LongAdder submitErrors = new LongAdder();
    final LongAdder stalledOps = new LongAdder();
    final LongAdder flushesLeft = new LongAdder();
    /** Ops submitted per opcode (index: the unsigned opcode); so a test can tell that an op really went to the ring. */
    final LongAdder[] byOpcode = new LongAdder[256];

    EngineStats() {
        for (int i = 0; i < byOpcode.length; i++) byOpcode[i] = new LongAdder();
    }

    /** Ops submitted (including cancels and internal NOPs; a queued op cancelled before it reached the kernel counts too): the per-opcode counts summed. */
    public long submitted() {
        long n = 0;
        for (LongAdder a : byOpcode) n += a.sum();
        return n;
    }
    /** Ops of this opcode submitted (a test's injected fault counts as its op). */
    public long submitted(byte opcode) { return byOpcode[opcode & 0xFF].sum(); }
    /** CQEs matched to their op. */
    public long completed() { return completed.sum(); }
    /** CQEs that matched no op in flight: must stay 0 (a non-zero value means a double completion). */
    public long strayCompletions() { return strayCompletions.sum(); }
    /** io_uring_enter calls made to submit. */
    public long enterCalls() { return enterCalls.sum(); }
    /** CQEs reaped by submitting threads (the no-park fast path). */
    public long inlineReaps() { return inlineReaps.sum(); }
    /** Blocking ops whose thread had to park for the completion (the rest finished without a park). */
    public long parkedWaits() { return parkedWaits.sum(); }
    /** Lone ops whose submitter first waited in the kernel for a moment (see {@link Engine}). */
    public long briefWaits() { return briefWaits.sum(); }
    /** CQEs reaped by the completion thread. */
    public long completionThreadReaps() { return completionThreadReaps.sum(); }
    /** Times a submitter parked because every slot was in flight. */
    public long slotWaits() { return slotWaits.sum(); }
    /** Ops that waited in the engine's queue because the kernel already held as many as the CQ has room for. */
    public long ringWaits() { return ringWaits.sum(); }
    /** Times the flusher found the SQ full and had to enter before continuing. */
    public long sqFull() { return sqFull.sum(); }
    /** EBUSY/EAGAIN answers from io_uring_enter (retried). */
    public long busy() { return busy.sum(); }
    /** Times the kernel flagged CQ overflow (completions then flushed from its overflow list). */
    public long cqOverflows() { return cqOverflows.sum(); }
    /** ASYNC_CANCEL ops sent. */
    public long cancels() { return cancels.sum(); }
    /** Operations {@link Io} ran as plain system calls because the ring lacks (or must not use) their opcode. */
    public long fallbacks() { return fallbacks.sum(); }

    /** Waiters of a completion batch that were unparked by another woken waiter rather than by the completion thread (see {@link Engine}). */
    public long handedOn() { return handedOn.sum(); }

    /** io_uring_enter submissions that failed with an errno other than EINTR, EAGAIN or EBUSY (retried: see {@link Engine}). */
    public long submitErrors() { return submitErrors.sum(); }

    /** Ops that stopped counting against the ring limit because they sat in the kernel while others waited (see {@link Engine}). */
    public long stalledOps() { return stalledOps.sum(); }

    /** Async ops from platform threads whose submission their thread left to the completion thread (see {@link Engine}). */
    public long flushesLeft() { return flushesLeft.sum(); }

    /** The non-zero per-opcode counts, e.g. {@code "WRITE=10 FSYNC=10"}. */
    public String submittedByOpcode() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < byOpcode.length; i++) {
            long n = byOpcode[i].sum();
            if (n != 0) b.append(b.isEmpty() ? "" : " ").append(IoUring.opName(i)).append('=').append(n);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "EngineStats[submitted=" + submitted() + ", completed=" + completed() + ", stray=" + strayCompletions()
                + ", enters=" + enterCalls() + ", inlineReaps=" + inlineReaps() + ", parked=" + parkedWaits() + ", briefWaits=" + briefWaits() + ", threadReaps=" + completionThreadReaps()
                + ", slotWaits=" + slotWaits() + ", ringWaits=" + ringWaits() + ", sqFull=" + sqFull() + ", busy=" + busy()
                + ", cqOverflows=" + cqOverflows() + ", cancels=" + cancels() + ", fallbacks=" + fallbacks() + ", handedOn=" + handedOn()
                + ", submitErrors=" + submitErrors() + ", stalledOps=" + stalledOps() + ", flushesLeft=" + flushesLeft() + ", ops=[" + submittedByOpcode() + "]]";
    }
}
