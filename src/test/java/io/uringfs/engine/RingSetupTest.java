package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Ring;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The optional {@code io_uring_setup} flags are kept on kernels that know them: a ring that lost
 * {@code COOP_TASKRUN} still works, only slower (see {@link Ring#create}), so nothing else would
 * notice.
 */
class RingSetupTest {
    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]), mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }

    @Test
    void optionalFlagsAreAcceptedWhereTheKernelKnowsThem() throws Exception {
        assumeTrue(kernelAtLeast(5, 19), "COOP_TASKRUN needs Linux 5.19");
        try (Ring ring = Ring.create(8, 32)) {
            int wanted = IoUring.SETUP_COOP_TASKRUN | IoUring.SETUP_SUBMIT_ALL | IoUring.SETUP_CQSIZE;
            assertEquals(wanted, ring.setupFlags() & wanted, "setup flags " + Integer.toHexString(ring.setupFlags()));
            assertEquals(32, ring.cqEntries(), "the CQ size asked for");
        }
    }
}
