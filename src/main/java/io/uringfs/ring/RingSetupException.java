package io.uringfs.ring;

/** A ring could not be created or configured; carries the failing step and the kernel's errno. */
public final class RingSetupException extends Exception {
    private final String step;
    private final int errno;

    public RingSetupException(String step, int errno) {
        super(step + " failed: " + Syscalls.strerror(errno) + " (errno " + errno + ")");
        this.step = step;
        this.errno = errno;
    }

    public String step() { return step; }
    public int errno() { return errno; }
}
