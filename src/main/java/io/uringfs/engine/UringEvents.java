package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine's JFR instrumentation: {@link OperationEvent} per op and the periodic
 * {@link RingStatisticsEvent} per live engine. Both are disabled by default.
 *
 * <p>Cost when disabled: the submit path asks {@code OperationEvent.GATE.isEnabled()}, a read of
 * the event type's static configuration that JFR's instrumentation keeps current (when JFR has
 * never been started it is the plain {@code Event.isEnabled()}, which returns false), and
 * allocates nothing; the release path tests one field for null. Only when the event is enabled is
 * an event object allocated at submission and committed at release.
 *
 * <p>The periodic statistics hook is registered with JFR only when JFR initializes (a
 * {@link FlightRecorderListener}), so an application that never records pays no JFR start-up. If
 * the runtime image lacks the {@code jdk.jfr} module, everything here is inert.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
final class UringEvents {
    private UringEvents() {}

    /** Whether the runtime has JFR at all (a jlink image may not). */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private static final Set<Engine> ENGINES = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean LISTENING = new AtomicBoolean();

    static boolean operationsEnabled() {
        return AVAILABLE && OperationEvent.GATE.isEnabled();
    }

    /** At submission, when {@link #operationsEnabled()}: starts timing the op. */
    static void begin(Op op) {
        OperationEvent event = new OperationEvent();
        event.begin();
        op.event = event;
    }

    /** At release of a completed op: ends and commits its event (if it passes the threshold). */
    static void commit(Op op) {
        OperationEvent event = op.event;
        op.event = null;
        event.end();
        if (event.shouldCommit()) {
            event.opcode = IoUring.opName(op.opcode);
            event.fd = op.fd;
            event.requested = requested(op);
            event.result = op.res;
            event.commit();
        }
    }

    private static long requested(Op op) {
        return switch (op.opcode) {
            case IoUring.OP_READ, IoUring.OP_WRITE -> Integer.toUnsignedLong(op.len);
            case IoUring.OP_READV, IoUring.OP_WRITEV -> {
                // The iovec array is the caller's and still alive: release precedes the return to it.
                MemorySegment iov = MemorySegment.ofAddress(op.addr).reinterpret(16L * op.len);
                long sum = 0;
                for (int i = 0; i < op.len; i++) sum += iov.get(ValueLayout.JAVA_LONG, 16L * i + 8);
                yield sum;
            }
            default -> 0;
        };
    }

    static void register(Engine engine) {
        if (!AVAILABLE) return;
        // Initialise the event class now rather than under the first submitters: every virtual
        // thread that reaches it during its class initialisation blocks, holding its carrier
        // (1,024 readers starting at once: about 110 ms of carrier time spent so).
        operationsEnabled();
        ENGINES.add(engine);
        if (LISTENING.compareAndSet(false, true)) {
            try {
                FlightRecorder.addListener(new FlightRecorderListener() {
                    @Override
                    public void recorderInitialized(FlightRecorder recorder) {
                        FlightRecorder.addPeriodicEvent(RingStatisticsEvent.class, UringEvents::emitStatistics);
                    }
                });
            } catch (RuntimeException | Error e) {
                // JFR unsupported by this VM: the events simply never fire.
                System.getLogger("io.uringfs").log(System.Logger.Level.DEBUG, "JFR events unavailable: " + e);
            }
        }
    }

    static void unregister(Engine engine) {
        if (AVAILABLE) ENGINES.remove(engine);
    }

    private static void emitStatistics() {
        for (Engine engine : ENGINES) {
            EngineStats s = engine.stats();
            RingStatisticsEvent event = new RingStatisticsEvent();
            event.engine = engine.completionThread().getName();
            event.slots = engine.slotCount();
            event.inFlight = engine.inFlight();
            event.submitted = s.submitted();
            event.completed = s.completed();
            event.stray = s.strayCompletions();
            event.slotWaits = s.slotWaits();
            event.sqFull = s.sqFull();
            event.cqOverflows = s.cqOverflows();
            event.busyRetries = s.busy();
            event.fallbacks = s.fallbacks();
            event.cancels = s.cancels();
            event.enterCalls = s.enterCalls();
            event.commit();
        }
    }
}
