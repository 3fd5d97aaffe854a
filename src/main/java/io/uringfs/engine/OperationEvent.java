package io.uringfs.engine;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR event for one io_uring operation, from its submission to its completion (the event's
 * duration is the op's latency). Off by default: enable {@code io.uringfs.Operation} in a recording.
 * Committed by the thread that releases the op's slot, which for blocking calls is the caller, so
 * the stack trace shows who did the I/O. See {@link UringEvents} for the zero-cost gating.
 */
@Name("io.uringfs.Operation")
@Label("io_uring Operation")
@Category({"uringfs", "io_uring"})
@Description("An operation submitted to the io_uring; duration is submission to completion")
@Enabled(false)
final class OperationEvent extends Event {
    /** Used only to ask whether the event type is enabled, which needs no per-op allocation. */
    static final OperationEvent GATE = new OperationEvent();

    @Label("Opcode")
    String opcode;

    @Label("File Descriptor")
    @Description("The fd the op was submitted on (-1 when it has none, e.g. NOP, or a dirfd for path ops)")
    int fd;

    @Label("Requested")
    @Description("Bytes asked for by a read or write (0 for other ops)")
    @DataAmount
    long requested;

    @Label("Result")
    @Description("The CQE's result: bytes transferred or a new fd on success, -errno on failure")
    int result;
}
