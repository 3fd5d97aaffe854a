package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Ring;
import io.uringfs.ring.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring registers {@code IORING_REGISTER_RESTRICTIONS}: opcodes and SQE flags uringfs does not
 * use, and every further {@code io_uring_register}, are refused by the kernel. Each refusal is
 * checked against an unrestricted ring doing the same thing successfully, so the test cannot pass
 * because the op was invalid in the first place.
 */
class RestrictedRingTest {
    private static final byte OP_SOCKET = 45;  // not in Engine.USED
    private static final byte OP_SEND = 26;    // not in Engine.USED
    private static final int AF_UNIX = 1, SOCK_STREAM = 1;
    private static final byte IOSQE_IO_DRAIN = 1 << 1;  // not in the allowed SQE flags

    private static Engine start(boolean restrict) throws UringUnavailableException {
        return Engine.start(EngineConfig.defaults().withSqEntries(8).withRestrict(restrict)
                .withThreadName("restricted-ring-test"));
    }

    private static int socketOp(Engine e) {
        return e.submitAndAwait(e.acquire().prep(OP_SOCKET, AF_UNIX, 0, 0, SOCK_STREAM, 0));
    }

    @Test
    void unlistedOpcodeIsRefusedWithEaccesOnlyOnTheRestrictedRing() throws Exception {
        try (Engine open = start(false)) {
            int fd = socketOp(open);
            assertTrue(fd >= 0, "control: IORING_OP_SOCKET works on an unrestricted ring, got " + fd);
            Syscalls.close(fd);
        }
        try (Engine restricted = start(true)) {
            assertEquals(-Errno.EACCES, socketOp(restricted), "IORING_OP_SOCKET on the restricted ring");
            assertEquals(-Errno.EACCES, restricted.submitAndAwait(restricted.acquire().prep(OP_SEND, 0, 0, 0, 0, 0)),
                    "IORING_OP_SEND on the restricted ring");
            // The ring stays usable after a refusal.
            assertEquals(0, restricted.nop());
            assertEquals(restricted.stats().submitted(), restricted.stats().completed());
            assertEquals(0, restricted.stats().strayCompletions());
        }
    }

    @Test
    void unlistedSqeFlagIsRefused() throws Exception {
        for (boolean restrict : new boolean[] {false, true}) {
            try (Engine e = start(restrict)) {
                Op op = e.acquire().prepNop();
                op.sqeFlags = IOSQE_IO_DRAIN;
                assertEquals(restrict ? -Errno.EACCES : 0, e.submitAndAwait(op), "NOP with IOSQE_IO_DRAIN, restrict=" + restrict);
            }
        }
    }

    @Test
    void registerCallsAreRefusedAfterEnable() throws Exception {
        for (boolean restrict : new boolean[] {false, true}) {
            try (Ring ring = Ring.create(8, 0); Arena arena = Arena.ofConfined()) {
                ring.restrictAndEnable(restrict ? new byte[] {IoUring.OP_NOP} : null);
                MemorySegment probe = arena.allocate(16 + 8 * 256L, 8);
                int r = Syscalls.ioUringRegister(ring.fd(), IoUring.REGISTER_PROBE, probe, 256);
                assertEquals(restrict ? -Errno.EACCES : 0, r, "IORING_REGISTER_PROBE after enable, restrict=" + restrict);
            }
        }
    }

    /**
     * Every opcode the provider uses (that this kernel has) still works on the restricted ring,
     * through {@link Io}, on a virtual thread: a platform thread's transfers, syncs, opens and
     * stats would be plain system calls. The engine's per-opcode counts prove each op reached
     * the ring.
     */
    @Test
    void listedOpcodesWorkOnTheRestrictedRing(@TempDir Path dir) throws Exception {
        try (Engine e = start(true)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    exerciseEveryOpcode(e, dir);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }).join();
            if (failure.get() != null) throw new AssertionError("on the virtual thread", failure.get());
            EngineStats s = e.stats();
            for (byte op : Engine.USED) {
                if (e.supports(op)) assertTrue(s.submitted(op) > 0, IoUring.opName(op) + " never reached the ring: " + s);
            }
            for (byte op : new byte[] {IoUring.OP_WRITE, IoUring.OP_READ, IoUring.OP_OPENAT, IoUring.OP_FSYNC,
                    IoUring.OP_STATX, IoUring.OP_CLOSE, IoUring.OP_RENAMEAT, IoUring.OP_UNLINKAT}) {
                assertTrue(e.supports(op), "this kernel should run " + IoUring.opName(op) + " on the ring");
            }
            assertEquals(s.submitted(), s.completed());
        }
    }

    private static void exerciseEveryOpcode(Engine e, Path dir) {
        try (Arena arena = Arena.ofConfined()) {
            Io io = new Io(e);
            int cwd = -100; // AT_FDCWD
            assertEquals(0, e.nop());
            MemorySegment sub = arena.allocateFrom(dir.resolve("d").toString());
            assertEquals(0, io.mkdirat(cwd, sub, 0755));
            MemorySegment file = arena.allocateFrom(dir.resolve("d/f").toString());
            int fd = io.openat(cwd, file, 0102 /* O_RDWR|O_CREAT: never a cached-open try */, 0644);
            assertTrue(fd >= 0, "openat: " + fd);
            byte[] data = "restricted but working".getBytes(StandardCharsets.US_ASCII);
            MemorySegment buf = arena.allocate(data.length);
            buf.copyFrom(MemorySegment.ofArray(data));
            // tryNowait=false: the write and read must go through the ring, not preadv2/pwritev2.
            assertEquals(data.length, io.write(fd, buf.address(), data.length, 0, false, false));
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, buf.address());
            iov.set(ValueLayout.JAVA_LONG, 8, data.length);
            assertEquals(data.length, io.writev(fd, iov, 1, data.length, false, false));
            assertEquals(0, io.fsync(fd, true));
            assertEquals(0, io.ftruncate(fd, data.length));
            MemorySegment back = arena.allocate(data.length);
            assertEquals(data.length, io.read(fd, back.address(), data.length, 0, false, false));
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
            back.fill((byte) 0);
            iov.set(ValueLayout.JAVA_LONG, 0, back.address());
            assertEquals(data.length, io.readv(fd, iov, 1, 0, false, false));
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
            MemorySegment statx = arena.allocate(256, 8);
            assertEquals(0, io.statx(fd, arena.allocate(1), 0x1000 /* AT_EMPTY_PATH: no cached-lookup try */, 0x7ff, statx));
            assertEquals(0, io.statx(cwd, file, 0, 0x7ff, statx));
            if (e.supports(IoUring.OP_FSETXATTR)) {
                MemorySegment name = arena.allocateFrom("user.uringfs");
                assertEquals(0, io.fsetxattr(fd, name, buf, data.length, 0));
                assertEquals(data.length, io.fgetxattr(fd, name, back, data.length));
            }
            MemorySegment pipe = arena.allocate(8, 4);
            assertEquals(0, Syscalls.pipe2(pipe, 0));
            int pipeRead = pipe.get(ValueLayout.JAVA_INT, 0), pipeWrite = pipe.get(ValueLayout.JAVA_INT, 4);
            assertEquals(data.length, io.splice(fd, 0, pipeWrite, -1, data.length));
            back.fill((byte) 0);
            assertEquals(data.length, io.read(pipeRead, back.address(), data.length, -1, false, false));
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, io.close(pipeRead));
            assertEquals(0, io.close(pipeWrite));
            // a cancel of nothing in flight: the kernel looks for the op (ENOENT) rather than refusing the opcode (EACCES)
            assertEquals(-Errno.ENOENT, e.submitAndAwait(e.acquire().prep(IoUring.OP_ASYNC_CANCEL, -1, 0x7777_0000_0000L, 0, 0, 0)));
            assertEquals(0, io.close(fd));
            MemorySegment moved = arena.allocateFrom(dir.resolve("d/g").toString());
            assertEquals(0, io.renameat(cwd, file, cwd, moved, 0));
            MemorySegment link = arena.allocateFrom(dir.resolve("d/l").toString());
            assertEquals(0, io.symlinkat(arena.allocateFrom("g"), cwd, link));
            assertEquals(0, io.linkat(cwd, moved, cwd, file, 0));
            assertEquals(0, io.unlinkat(cwd, link, 0));
            assertEquals(0, io.unlinkat(cwd, file, 0));
            assertEquals(0, io.unlinkat(cwd, moved, 0));
            assertEquals(0, io.unlinkat(cwd, sub, 0x200 /* AT_REMOVEDIR */));
            assertTrue(Files.notExists(dir.resolve("d")));
        }
    }
}
