package io.uringfs.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The opcodes the running kernel supports, read once with {@code IORING_REGISTER_PROBE} when the
 * ring is created. Later code asks {@link #supports} before using an opcode and falls back to the
 * plain system call when the answer is no. Immutable.
 */
public final class Probe {
    private static final int MAX_OPS = 256;
    private final BitSet supported;
    private final int lastOp;

    private Probe(BitSet supported, int lastOp) {
        this.supported = supported;
        this.lastOp = lastOp;
    }

    static Probe read(int ringFd) {
        try (Arena arena = Arena.ofConfined()) {
            long size = RingLayouts.PROBE_HEADER.byteSize() + RingLayouts.PROBE_OP.byteSize() * MAX_OPS;
            MemorySegment p = arena.allocate(size, 8);
            BitSet bits = new BitSet();
            int r = Syscalls.ioUringRegister(ringFd, IoUring.REGISTER_PROBE, p, MAX_OPS);
            if (r < 0) {
                // Kernels before 5.6 cannot probe; they have only the 5.1-5.5 opcodes, which we do not
                // assume. An empty table makes every op take the plain-syscall path.
                return new Probe(bits, -1);
            }
            int last = Byte.toUnsignedInt(p.get(ValueLayout.JAVA_BYTE, 0));
            int len = Byte.toUnsignedInt(p.get(ValueLayout.JAVA_BYTE, 1));
            long base = RingLayouts.PROBE_HEADER.byteSize();
            for (int i = 0; i < len; i++) {
                long o = base + i * RingLayouts.PROBE_OP.byteSize();
                int op = Byte.toUnsignedInt(p.get(ValueLayout.JAVA_BYTE, o));
                int flags = Short.toUnsignedInt(p.get(ValueLayout.JAVA_SHORT, o + 2));
                if ((flags & IoUring.OP_SUPPORTED) != 0) bits.set(op);
            }
            return new Probe(bits, last);
        }
    }

    public boolean supports(int opcode) {
        return supported.get(opcode);
    }

    public int lastOp() {
        return lastOp;
    }

    /** Names of the given opcodes that this kernel lacks. */
    public List<String> missing(byte... ops) {
        List<String> out = new ArrayList<>();
        for (byte op : ops) if (!supports(op)) out.add(IoUring.opName(op));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Probe[lastOp=").append(lastOp).append(", supported=");
        supported.stream().forEach(op -> sb.append(IoUring.opName(op)).append(' '));
        return sb.append(']').toString();
    }
}
