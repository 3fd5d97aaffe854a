package io.uringfs.ring;

/**
 * The io_uring ABI constants uringfs uses, as in {@code <linux/io_uring.h>}. Declared once here;
 * struct layouts are in {@link RingLayouts}.
 */
public final class IoUring {
    private IoUring() {}

    // enum io_uring_op
    public static final byte OP_NOP = 0;
    public static final byte OP_READV = 1;
    public static final byte OP_WRITEV = 2;
    public static final byte OP_FSYNC = 3;
    public static final byte OP_ASYNC_CANCEL = 14;
    public static final byte OP_OPENAT = 18;
    public static final byte OP_CLOSE = 19;
    public static final byte OP_STATX = 21;
    public static final byte OP_READ = 22;
    public static final byte OP_WRITE = 23;
    public static final byte OP_SPLICE = 30;
    public static final byte OP_RENAMEAT = 35;
    public static final byte OP_UNLINKAT = 36;
    public static final byte OP_MKDIRAT = 37;
    public static final byte OP_SYMLINKAT = 38;
    public static final byte OP_LINKAT = 39;
    public static final byte OP_FSETXATTR = 41;
    public static final byte OP_FGETXATTR = 43;
    public static final byte OP_FTRUNCATE = 55;

    /** Names for diagnostics (JFR events, probe reports), indexed by opcode. */
    public static String opName(int op) {
        return switch (op) {
            case OP_NOP -> "NOP"; case OP_READV -> "READV"; case OP_WRITEV -> "WRITEV"; case OP_FSYNC -> "FSYNC";
            case OP_ASYNC_CANCEL -> "ASYNC_CANCEL"; case OP_OPENAT -> "OPENAT";
            case OP_CLOSE -> "CLOSE"; case OP_STATX -> "STATX"; case OP_READ -> "READ"; case OP_WRITE -> "WRITE";
            case OP_SPLICE -> "SPLICE";
            case OP_RENAMEAT -> "RENAMEAT"; case OP_UNLINKAT -> "UNLINKAT"; case OP_MKDIRAT -> "MKDIRAT";
            case OP_SYMLINKAT -> "SYMLINKAT"; case OP_LINKAT -> "LINKAT"; case OP_FSETXATTR -> "FSETXATTR";
            case OP_FGETXATTR -> "FGETXATTR"; case OP_FTRUNCATE -> "FTRUNCATE";
            default -> "OP_" + op;
        };
    }

    // io_uring_setup flags
    public static final int SETUP_CQSIZE = 1 << 3;
    public static final int SETUP_CLAMP = 1 << 4;
    public static final int SETUP_R_DISABLED = 1 << 6;
    public static final int SETUP_SUBMIT_ALL = 1 << 7;
    public static final int SETUP_COOP_TASKRUN = 1 << 8;

    // io_uring_params.features
    public static final int FEAT_SINGLE_MMAP = 1;
    public static final int FEAT_NODROP = 1 << 1;
    public static final int FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int FEAT_EXT_ARG = 1 << 8;

    // io_uring_enter flags
    public static final int ENTER_GETEVENTS = 1;
    public static final int ENTER_EXT_ARG = 1 << 3;

    // sq_ring->flags
    public static final int SQ_CQ_OVERFLOW = 1 << 1;
    public static final int SQ_TASKRUN = 1 << 2;

    // sqe->flags
    public static final byte SQE_IO_LINK = 1 << 2;
    public static final byte SQE_ASYNC = 1 << 4;

    // fsync_flags
    public static final int FSYNC_DATASYNC = 1;

    // cancel_flags
    public static final int ASYNC_CANCEL_ALL = 1;
    public static final int ASYNC_CANCEL_FD = 1 << 1;
    public static final int ASYNC_CANCEL_ANY = 1 << 2;

    // io_uring_register opcodes
    public static final int REGISTER_PROBE = 8;
    public static final int REGISTER_RESTRICTIONS = 11;
    public static final int REGISTER_ENABLE_RINGS = 12;

    // struct io_uring_restriction.opcode
    public static final short RESTRICTION_REGISTER_OP = 0;
    public static final short RESTRICTION_SQE_OP = 1;
    public static final short RESTRICTION_SQE_FLAGS_ALLOWED = 2;

    // mmap offsets
    static final long OFF_SQ_RING = 0L;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;

    /** io_uring_probe_op.flags bit. */
    static final int OP_SUPPORTED = 1;
}
