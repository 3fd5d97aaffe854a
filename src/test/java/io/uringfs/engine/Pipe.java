package io.uringfs.engine;

import io.uringfs.ring.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A pipe whose read end has no data: a read on it stays in flight until fed or cancelled. */
record Pipe(int readFd, int writeFd) implements AutoCloseable {
    private static final int O_CLOEXEC = 0x80000;

    static Pipe open() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            assertEquals(0, Syscalls.pipe2(fds, O_CLOEXEC));
            return new Pipe(fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4));
        }
    }

    /** Writes one byte and reads it back with plain syscalls: proves no ring op still reads the pipe. */
    boolean nobodyElseReads() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            b.set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
            if (Syscalls.write(writeFd, b, 1) != 1) return false;
            b.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
            return Syscalls.read(readFd, b, 1) == 1 && b.get(ValueLayout.JAVA_BYTE, 0) == 42;
        }
    }

    @Override
    public void close() {
        Syscalls.close(readFd);
        Syscalls.close(writeFd);
    }
}
