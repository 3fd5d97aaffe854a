package io.uringfs.engine;

import java.io.IOException;

/**
 * io_uring cannot be used in this process. The message says why in words a user can act on
 * (the sysctl, the seccomp profile, the memlock limit, the kernel version) and names the fix.
 */
public final class UringUnavailableException extends IOException {
    public UringUnavailableException(String reason) {
        super(reason);
    }

    public UringUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
