package io.uringfs.ring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** The io_uring structs, declared once: params, SQE, CQE, probe, restriction. */
final class RingLayouts {
    private RingLayouts() {}

    private static StructLayout ringOffsets(String name) {
        return MemoryLayout.structLayout(
                JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
                JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags_or_overflow"),
                JAVA_INT.withName("dropped_or_cqes"), JAVA_INT.withName("array_or_flags"),
                JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr")).withName(name);
    }

    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            ringOffsets("sq_off"), ringOffsets("cq_off"));

    static final VarHandle P_SQ_ENTRIES = intField(PARAMS, "sq_entries");
    static final VarHandle P_CQ_ENTRIES = intField(PARAMS, "cq_entries");
    static final VarHandle P_FLAGS = intField(PARAMS, "flags");
    static final VarHandle P_FEATURES = intField(PARAMS, "features");

    /** Byte offset of a field of params.sq_off / params.cq_off. */
    static long offsetField(String ring, String field) {
        return PARAMS.byteOffset(groupElement(ring), groupElement(field));
    }

    static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"), JAVA_INT.withName("op_flags"), JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("splice_fd_in"), JAVA_LONG.withName("addr3"), JAVA_LONG.withName("pad2"));

    static final long SQE_OPCODE = SQE.byteOffset(groupElement("opcode"));
    static final long SQE_FLAGS = SQE.byteOffset(groupElement("flags"));
    static final long SQE_FD = SQE.byteOffset(groupElement("fd"));
    static final long SQE_OFF = SQE.byteOffset(groupElement("off"));
    static final long SQE_ADDR = SQE.byteOffset(groupElement("addr"));
    static final long SQE_LEN = SQE.byteOffset(groupElement("len"));
    static final long SQE_OP_FLAGS = SQE.byteOffset(groupElement("op_flags"));
    static final long SQE_USER_DATA = SQE.byteOffset(groupElement("user_data"));
    static final long SQE_SPLICE_FD_IN = SQE.byteOffset(groupElement("splice_fd_in"));

    static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    static final long CQE_USER_DATA = CQE.byteOffset(groupElement("user_data"));
    static final long CQE_RES = CQE.byteOffset(groupElement("res"));
    static final long CQE_FLAGS = CQE.byteOffset(groupElement("flags"));

    /**
     * struct io_uring_getevents_arg (u64 sigmask; u32 sigmask_sz; u32 min_wait_usec; u64 ts) followed,
     * in the same block, by the struct __kernel_timespec its ts points to.
     */
    static final StructLayout WAIT_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("min_wait_usec"),
            JAVA_LONG.withName("ts"), JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
    /** The size of io_uring_getevents_arg alone (what io_uring_enter is told). */
    static final long WAIT_ARG_STRUCT_SIZE = WAIT_ARG.byteOffset(groupElement("tv_sec"));
    static final long WAIT_ARG_TS = WAIT_ARG.byteOffset(groupElement("ts"));
    static final long WAIT_ARG_TV_SEC = WAIT_ARG.byteOffset(groupElement("tv_sec"));
    static final long WAIT_ARG_TV_NSEC = WAIT_ARG.byteOffset(groupElement("tv_nsec"));

    /** struct io_uring_probe header; followed by {@code ops_len} struct io_uring_probe_op of 8 bytes. */
    static final StructLayout PROBE_HEADER = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));
    static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    /** struct io_uring_restriction: u16 opcode; u8 register_op|sqe_op|sqe_flags; u8 resv; u32 resv2[3]. */
    static final StructLayout RESTRICTION = MemoryLayout.structLayout(
            JAVA_SHORT.withName("opcode"), JAVA_BYTE.withName("arg"), JAVA_BYTE.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    private static VarHandle intField(StructLayout s, String name) {
        return s.varHandle(groupElement(name));
    }
}
