package io.uringfs.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * Periodic JFR event with one engine's counters (cumulative since it started, except in flight).
 * Off by default: enable {@code io.uringfs.RingStatistics} in a recording (default period 1 s).
 */
@Name("io.uringfs.RingStatistics")
@Label("io_uring Ring Statistics")
@Category({"uringfs", "io_uring"})
@Description("Counters of one uringfs engine: in flight, waits, queue-full, overflow, retries, fallbacks")
@Enabled(false)
@Period("1 s")
@StackTrace(false)
final class RingStatisticsEvent extends Event {
    @Label("Engine") @Description("Name of the engine's completion thread")
    String engine;
    @Label("Slots") @Description("Ops that may be in flight at once")
    int slots;
    @Label("In Flight") @Description("Ops submitted whose completion has not arrived")
    long inFlight;
    @Label("Submitted")
    long submitted;
    @Label("Completed")
    long completed;
    @Label("Stray Completions") @Description("Completions that matched no op in flight (must be 0)")
    long stray;
    @Label("Slot Waits") @Description("Times a submitter parked because every slot was in flight")
    long slotWaits;
    @Label("SQ Full") @Description("Times the submission queue was full and had to be flushed first")
    long sqFull;
    @Label("CQ Overflows") @Description("Times the kernel flagged completion-queue overflow")
    long cqOverflows;
    @Label("Busy Retries") @Description("io_uring_enter answers EBUSY/EAGAIN that were retried")
    long busyRetries;
    @Label("Fallbacks") @Description("Operations run as plain system calls because the ring lacks their opcode")
    long fallbacks;
    @Label("Cancels") @Description("IORING_OP_ASYNC_CANCEL requests sent")
    long cancels;
    @Label("Enter Calls") @Description("io_uring_enter calls made to submit")
    long enterCalls;
}
