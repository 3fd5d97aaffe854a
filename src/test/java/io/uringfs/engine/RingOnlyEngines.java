package io.uringfs.engine;

/**
 * For tests of other packages: an engine on which every read, write and fsync is a ring op,
 * whatever the thread ({@link Faults#ringOnly()}: no {@code RWF_NOWAIT} attempt, and platform
 * threads no longer make plain system calls once a fault plan is installed). It injects no
 * fault. Needs the JVM property that arms {@link Faults} (set by the surefire configuration).
 */
public final class RingOnlyEngines {
    private RingOnlyEngines() {}

    /** Starts such an engine; the caller closes it. */
    public static Engine start(String threadName) throws UringUnavailableException {
        Faults.install(new Faults(0).ringOnly());
        try {
            return Engine.start(EngineConfig.defaults().withThreadName(threadName));
        } finally {
            Faults.install(null);
        }
    }
}
