package io.uringfs.engine;

import io.uringfs.ring.IoUring;
import io.uringfs.ring.Probe;
import io.uringfs.ring.Ring;
import io.uringfs.ring.RingSetupException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared io_uring: any thread submits, one completion thread reaps and wakes the submitter.
 *
 * <h2>Submission</h2>
 * A submitter pushes its {@link Op} on a lock-free pending stack and then tries to become the
 * <em>flusher</em>. The flusher (one at a time; the SQ has a single producer) drains the stack
 * into SQEs and hands them all to the kernel with one {@code io_uring_enter}; everyone who pushed
 * while it was busy is carried along in that batch, so a thousand virtual threads submitting at
 * once cost a handful of system calls and never queue on a lock per op. While the completion
 * thread is awake (under load, most of the time) submitters only push and park: the completion
 * thread flushes before it sleeps again, so the system call is made off the carriers, and the
 * kernel's completion work for those ops runs on the completion thread, which is waiting for it.
 * A platform thread's async op is left to the completion thread whenever it is parked or awake
 * ({@link #leftToCompletionThread}): the submitter may go on computing, and the kernel's work for
 * the op would wait for it.
 *
 * <h2>Completion</h2>
 * The completion thread (a named daemon platform thread) waits in {@code io_uring_enter(GETEVENTS)},
 * reads each CQE, finds the slot by user_data, publishes the result and unparks the waiting thread
 * (or hands an async op's callback to its executor, never running it itself). A submitter whose op
 * the kernel finished inline during its own {@code io_uring_enter} (a page-cache hit) reaps the CQ
 * itself when the completion thread is not doing so, and returns without parking.
 *
 * <p>Of the threads parked for the ops one drain completes, the completion thread unparks only one,
 * whose result it publishes last; that thread, back on a carrier, unparks the others, which it finds
 * in a queue the completion thread filled while draining. Unparked one by one from the completion
 * thread, each reader woke an idle carrier, which on two CPUs preempted the completion thread, ran
 * that one reader and went idle again, before the completion thread could unpark the next.
 * Unparked from a carrier, they go to its queue, and the completion thread goes back to the ring
 * (1,024 virtual threads' O_DIRECT 4 KiB reads, JVMs alternating, 6 rounds each: 5.26-7.12 us of
 * CPU per read, mean 5.95, against 5.18-7.57, mean 6.47; 0.06-0.07 context switches per read
 * against 0.08-0.14; cold buffered reads alike, 9.02-10.55 us against 8.85-10.57).
 *
 * <h2>A lone op waits in the kernel for a moment</h2>
 * When the submitter's op is the only one in flight, and the op put in before it was its own too
 * (a lone reader), it first waits for the CQE in a bounded {@code io_uring_enter(GETEVENTS)}
 * ({@value #BRIEF_WAIT_NANOS} ns at most) before parking. The
 * kernel finishes a device read (O_DIRECT, a buffered miss) as task_work of the task that
 * submitted it, i.e. this carrier: parked, the carrier sleeps in the scheduler and must be woken to
 * post the CQE, which wakes the completion thread, which unparks the virtual thread, which wakes a
 * carrier again: three wake-ups in a row on the latency path of a single reader (measured: 1
 * virtual thread's O_DIRECT 4 KiB reads 0.7x the default provider's blocking pread). Waiting in
 * the kernel instead, the carrier runs the task_work and returns with one wake-up, like pread. Only
 * one op in flight: then the carriers have little else to do, and at most about one of them is held
 * (waiting in the kernel rather than spinning leaves the CPU to others, which spinning measured
 * worse under load). An op that takes longer parks as usual when the wait ends. The bound is
 * meant to cover a device read on a slow host too: where one virtual thread's 4 KiB reads took
 * 90-140 us on average (2026-12-01, the host of session 17), a bound of 300 us instead of 100 read
 * 1.16-1.22x as many cold buffered and 1.09-1.16x as many O_DIRECT blocks, at 10-25% less CPU per
 * read (JMH, alternating, two rounds each); where reads take 35-60 us, the wait ends with the CQE
 * well before either bound. Never with a single carrier: holding the only one, each reader's next
 * read was again the only one in flight, so the virtual threads queued behind it ran one at a time
 * (1,000 O_DIRECT readers: 15,000 reads/s instead of 80,000, and a 1 ms ticker starved). Nor
 * when the op before was another thread's: many virtual threads that take turns at the ring, each
 * one's op alone in flight while the others run (opening, stating and closing small files with
 * plain calls), need the carrier it would hold (64 threads reading a tree of cold 4 KiB files,
 * alternating JVMs, three rounds: 20,800-25,800 files/s without the wait, 17,100-20,400 with it;
 * 2026-12-02). Nor while threads that uringfs woke wait for a carrier ({@link
 * CarrierQuantum#wokenNotRun}, every engine's): when the other carriers are busy computing, a
 * reader whose reads each end within the wait never lets go of its own, and the threads queued
 * behind it wait (one virtual thread computing without blocking beside two O_DIRECT readers on
 * two carriers: 26-56 reads in 5 s took over 20 ms, up to 401 ms, where the default provider's
 * took at most 16 ms).
 *
 * <p>For the same reason the completion thread, when nothing is in flight, parks instead of waiting
 * on the ring: the kernel wakes every task waiting on the ring when it posts a CQE, so the lone
 * op's CQE, which its submitter reaps itself, used to wake the completion thread as well, to find
 * nothing (1 virtual thread's cold buffered 4 KiB reads: 40-55 us of CPU per read against the
 * default provider's 26-33, and 0.78-0.97x its reads/s; parked: 34-45 us and 0.89-1.10x). So an op
 * put in flight unparks it, unless it is the only one and its own submitter is going to wait for
 * it in the kernel; that submitter unparks it if its wait ends without the completion.
 *
 * <h2>Backpressure</h2>
 * The kernel holds at most a ring limit of ops (the configured CQ size, less a reserve for
 * cancels). The engine holds {@value #SLOTS_PER_CQ_ENTRY} times as many ops, and the ring's real CQ
 * has room for all of them, so that it cannot overflow even when ops go past the limit (stalled
 * ops, below). The ops beyond what the ring may hold wait, already prepared, in the engine's FIFO queue, and
 * whoever flushes next (the completion thread, right after it reaped the CQEs that made room)
 * submits them, so their threads park once per op, for the completion. Making them wait for a slot
 * instead cost a second park and wake-up per op (1,024 O_DIRECT readers on 512 entries: 5.6-8 us of
 * CPU per read against 4.6-5 us with every reader's op in flight), and putting them all in the ring
 * cost more: about 1,000 buffered reads of one small file in the kernel at once, while its pages
 * were being evicted, ran 7-30 times slower than 512 (see {@link EngineConfig}). An op cancelled
 * while it waits in the queue completes with {@code -ECANCELED} without reaching the kernel. Only
 * when every slot is taken does a submitter park on a semaphore until one is released. The
 * semaphore is fair: with barging, a thread that had just released its slot took it straight back
 * while the waiter woken for it found none and parked again, a futile wake-up per op (measured with
 * 1,024 virtual threads on 512 slots, before ops queued in the engine: 11-12.5 us of CPU per
 * O_DIRECT read and a 1 ms ticker 8-19 ms late, against 6.6-8.5 us and 2-2.5 ms fair). While others
 * wait, a slot freed by a virtual thread is handed on by the awake completion thread rather than
 * from the carrier (see {@link #release}). A small share of slots is reserved for cancellations, so
 * a cancel can always be sent. Should the kernel still report CQ overflow, {@code EBUSY},
 * {@code EAGAIN} or {@code ENOMEM}, the flusher backs off and retries: nothing is dropped. Any
 * other errno will not pass (a seccomp filter's {@code EPERM}, a ring being torn down): the SQEs
 * the kernel did not take are taken back and their ops fail with it, so no op's memory is given
 * back while the kernel may still use it, and nobody waits for ever. At start, a first op (a
 * cancel, which also tells whether the kernel's cancel takes flags) must go through, or the
 * engine is reported unavailable.
 *
 * <h2>Stalled ops</h2>
 * The ring limit is there for the device's sake, yet not every op waits for a device: a read of a
 * FIFO or a terminal, a write to a full pipe, an open of a FIFO without a reader may wait for ever.
 * Counted against the limit, 224 virtual threads reading FIFOs (448 platform threads) held every
 * other op of the file system in the queue, including the write that would have fed them. So
 * while ops wait in the queue, the completion thread keeps an epoch that advances every
 * {@link EngineConfig#stallNanos()} (50 ms), and each op is stamped with it as it goes into the
 * kernel. If a whole epoch went by without a completion, every op in the kernel is stalled; if
 * others completed meanwhile, those that went in {@value #STALL_EPOCHS} epochs ago (a second) or
 * earlier are. Stalled ops stop counting against the limit, and the queue moves on. Device ops
 * under load take far less than that, but not always less than an epoch: with 1,000 {@code
 * O_DIRECT} readers on one CPU some waited longer, and letting them past the limit after two
 * epochs put ever more ops in the kernel (a 1 ms ticker's p99 lateness 0.6-1.5 s instead of a few
 * milliseconds). An op that slow all the same (a deep queue on a disk that seeks) is let past just
 * the same, at no risk: the CQ has room for every slot. Stalled ops still hold their slots: the
 * 1,984 op slots (2,048 less those kept for cancels) bound the ops that can wait at once, and
 * beyond them further ops wait for a slot. The completion thread times the epochs with a bounded
 * wait where the kernel has one ({@code EXT_ARG}, Linux 5.11), and waits without a limit while no
 * op is queued (a flusher that queues ops wakes it with a NOP); before Linux 5.11, stalled ops
 * keep counting.
 *
 * <p>Cancelling all of a descriptor's ops, or all ops at close, uses ASYNC_CANCEL's flags where the
 * kernel has them (Linux 5.19; asked once at start) and otherwise one cancel per op, by user_data.
 *
 * <h2>Fewer ops in the kernel while buffered reads are</h2>
 * While any buffered read that goes to the disk ({@link Op#bufferedRead}: a page-cache miss) is
 * in the kernel, the ring limit is halved; the ops beyond it wait in the queue as above. The
 * kernel finishes such a read in steps on the thread that submitted it (the completion thread,
 * under load), and with the full depth those steps crowded out the threads woken by the results.
 * Measured with 1,024 virtual threads making 4 KiB random reads on 2 CPUs: of a 4 GiB file with
 * its cache dropped, a 1 ms ticker's p99 lateness was 0.84-1.89 ms with 448 ops in the kernel and
 * 0.47-0.79 ms with 224, at 90,000-106,000 and 77,000-98,000 reads/s (this host's spread between
 * runs); of a 64 MiB file whose pages are dropped every 5 ms, 52,000-62,000 reads/s at 11.8-14.8 us
 * of CPU per read against 73,000-76,000 at 9.7-10.7 us. A quarter or a third of the full depth
 * measured no better than half. {@code O_DIRECT} reads keep the full depth: with half of it they
 * cost 7.4-8.3 us of CPU per read against 4.5-4.7 us.
 *
 * <h2>A single carrier pauses the completion thread now and then</h2>
 * With one carrier (one CPU, or {@code jdk.virtualThreadScheduler.parallelism=1}) the JDK 25
 * scheduler serves whatever keeps coming: its worker runs its own queue until that is empty, then
 * keeps taking from the submission queue it took from last until that looks empty
 * ({@code ForkJoinPool.runWorker}). Under load uringfs always had a next woken reader for it, woken
 * by a reader on the carrier or by the completion thread from outside, so the other queues, where
 * timers' expiries and newly started threads wait, were never looked at (1,000 {@code O_DIRECT}
 * readers on one CPU: a 1 ms ticker started before them woke 1-4 times in 2-4 s, and 744 of
 * another round's new readers never started). So with a single carrier, at most once a millisecond
 * and only after waking {@value #PAUSE_AFTER_WAKES} or more virtual threads since the last time,
 * the completion thread pauses: it wakes nobody, and readers neither reap nor wake waiters handed
 * on, until every virtual thread already woken has run and {@value #PAUSE_NANOS} ns more (about a
 * millisecond at most); then it wakes those held back. The carrier runs out of woken readers and
 * the scheduler looks at its other queues. Completions for platform threads wait out the pause too.
 * Measured on one CPU ({@code taskset}), 1,000 readers, 3 s after a 1 s start: the ticker woke
 * 2,438-3,238 times (p99 lateness 1.06-5.86 ms) beside 77,983-80,506 {@code O_DIRECT} reads/s at
 * 5.88-7.38 us of CPU per read, and 2,760-3,382 times (p99 1.15-4.38 ms) beside 88,320-91,949
 * cold buffered reads/s at 7.78-8.85 us.
 * Before, in the same minutes: 65,649-82,979 {@code O_DIRECT} reads/s at 5.29-6.88 us with the
 * ticker starved and only some readers running; 77,393-97,109 cold buffered reads/s at
 * 6.57-10.07 us. More carriers never pause: each takes from the others' queues.
 *
 * <h2>Memory safety</h2>
 * {@link #submitAndAwait} returns only after the op's CQE, whatever happens to the caller
 * (interrupts included), so native memory owned by the caller outlives the kernel's use of it. An
 * async op's callback runs only after its CQE.
 *
 * <p>Thread safety: all public methods may be called from any thread.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.uringfs");

    private final Ring ring;
    private final Probe probe;
    private final boolean[] usable = new boolean[256];
    private final Op[] slots;
    private final Semaphore opPermits;
    private final Semaphore cancelPermits;
    private final FreeList free;
    private final AtomicReference<Op> pending = new AtomicReference<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final ReentrantLock cqLock = new ReentrantLock();
    private final Thread completionThread;
    private final AtomicLong inFlight = new AtomicLong();
    /** Threads between {@link #enterRing()} and {@link #exitRing()}: they may touch the SQ or CQ. */
    private final LongAdder ringUsers = new LongAdder();
    /** No new ops: set first by {@link #close()}. */
    private volatile boolean closed;
    /** No thread but the closer may touch the ring any more: set once everything in flight is done. */
    private volatile boolean ringClosed;
    private volatile Thread closer;
    /** Bound on the wait for a draining completion thread (about a microsecond or two). */
    private static final int DRAIN_SPINS = 256;
    /** Ops in flight above which submitters leave flushing to an awake completion thread. */
    private static final int HANDOFF_IN_FLIGHT = 32;
    /** Single carrier: the completion thread pauses at most once per this period, after this many wake-ups in it (see class comment). */
    private static final long PAUSE_PERIOD_NANOS = 1_000_000L;
    private static final int PAUSE_AFTER_WAKES = 64;
    /** Single carrier: how long a pause lasts once the woken threads ran, and how long it waits for them at most. */
    private static final long PAUSE_NANOS = 50_000L;
    private static final long PAUSE_LIMIT_NANOS = 1_000_000L;
    /** Longest wait in the kernel for a lone op's CQE (see class comment): 4 KiB device reads take 35-120 us on the hosts measured. */
    private static final long BRIEF_WAIT_NANOS = 300_000L;
    /**
     * Per-slot argument blocks for the brief wait, or null if there is none: the kernel lacks
     * EXT_ARG, faults are armed, or virtual threads have a single carrier (see class comment).
     */
    private final MemorySegment waitScratch;
    /** False only while the completion thread sleeps in the kernel or is parked (or is about to). */
    private volatile boolean completionThreadAwake = true;
    /**
     * True while the completion thread is parked because nothing was in flight: an op put in
     * flight then must unpark it, unless its own submitter waits for it in the kernel, who does
     * so when that wait ends without the completion (see class comment). Used only with brief waits.
     */
    private volatile boolean completionThreadParked;
    /**
     * The thread whose op {@link #submitAndAwait} last put in: only a thread whose op follows its
     * own waits for it in the kernel (see class comment). Racy on purpose: a lost update only
     * costs or spares one brief wait.
     */
    private Thread lastWaiter;
    /** Op slots freed by virtual threads while others waited, for the completion thread to hand on (see release). */
    private final AtomicInteger deferredPermits = new AtomicInteger();
    /** Ops the engine holds per CQ entry (see class comment: the rest wait in the queue, not for a slot). */
    static final int SLOTS_PER_CQ_ENTRY = 4;
    /** Ops other than cancels the kernel may hold at once: the CQ entries not reserved for cancels. */
    private final int ringLimit;
    /** Ops other than cancels submitted to the kernel whose CQE has not arrived. */
    private final AtomicInteger inRing = new AtomicInteger();
    /** Ops the kernel may hold while buffered reads are among them (see class comment): half of {@link #ringLimit}. */
    private final int bufferedRingLimit;
    /** Completion thread only: true while it drains the CQ, when {@link #finish} hands wake-ups on. */
    private boolean handingOn;
    /** Completion thread only: the op of this drain whose waiter is woken last, to wake the others. */
    private Op leaderOp;
    /** Completion thread only: whether this drain handed any waiter on. */
    private boolean handedOnInDrain;
    /** Waiters of finished ops left for a woken waiter to unpark: a single-producer, multi-consumer ring. */
    private final AtomicReferenceArray<Thread> handoff;
    private final AtomicLong handoffHead = new AtomicLong();
    /** Written only by the completion thread. */
    private volatile long handoffTail;
    /** Whether virtual threads have a single carrier: then the completion thread pauses now and then (see class comment). */
    private final boolean singleCarrier;
    /** Single carrier only: set while the completion thread pauses; submitters then leave the CQ to it. */
    private volatile boolean pausing;
    /** Completion thread only: virtual threads it woke since it last paused, and when that was. */
    private int wokenSincePause;
    private long lastPause;
    /** Buffered reads ({@link Op#bufferedRead}) among {@link #inRing}. */
    private final AtomicInteger bufferedReadsInRing = new AtomicInteger();
    /** FIFO of prepared ops waiting for room in the ring, linked by nextPending; only the flusher touches it. */
    private Op queueHead, queueTail;
    /** Length of that queue: written by the flusher, read by anyone deciding whether a flush is due. */
    private volatile int queued;
    /** Ops marked cancelled since the flusher last looked for them in its queue. */
    private final AtomicInteger cancelMarks = new AtomicInteger();
    /** Whether ASYNC_CANCEL takes flags (FD, ALL, ANY: Linux 5.19); asked of the kernel at start. */
    private volatile boolean cancelFlags = true;
    /** Completion thread only: argument block of its bounded waits while ops queue, or null without EXT_ARG (see class comment). */
    private final MemorySegment stallScratch;
    private final long stallNanos;
    /** Advanced by the completion thread every {@link #stallNanos} while ops queue; ops are stamped with it as they go into the kernel. */
    private volatile int stallEpoch;
    /** Completion thread only: when {@link #stallEpoch} last advanced, and how many ops had completed then. */
    private long stallEpochNanos, completedAtEpoch;
    /** Epochs an op must have spent in the kernel to count as stalled while other ops complete beside it (see class comment). */
    private static final int STALL_EPOCHS = 20;
    /** Set while the completion thread waits without a time limit: a flusher that leaves ops queued must wake it, to time their stall. */
    private volatile boolean untimedWait;
    final EngineStats stats = new EngineStats();
    private final AtomicBoolean submitErrorReported = new AtomicBoolean();
    /** Test-only fault plan; always null unless {@link Faults#ARMED}. */
    final Faults faults;

    private Engine(Ring ring, EngineConfig config) {
        this.ring = ring;
        this.probe = ring.probe();
        for (int op = 0; op < 256; op++) {
            usable[op] = probe.supports(op) && !config.disabledOps().contains(op);
        }
        this.faults = Faults.forNewEngine();
        int cq = ring.cqEntries() / SLOTS_PER_CQ_ENTRY * (Faults.ARMED && faults != null ? faults.slotFactor() : 1);
        int n = cq * SLOTS_PER_CQ_ENTRY;
        this.slots = new Op[n];
        for (int i = 0; i < n; i++) slots[i] = new Op(this, i);
        this.free = new FreeList(n);
        this.handoff = new AtomicReferenceArray<>(n);
        int reserve = Math.max(1, cq / 8);
        this.ringLimit = cq - reserve;
        this.bufferedRingLimit = Math.max(1, ringLimit / 2);
        this.opPermits = new Semaphore(n - reserve, true);
        this.cancelPermits = new Semaphore(reserve);
        this.singleCarrier = carriers() == 1;
        this.waitScratch = ring.hasFeature(IoUring.FEAT_EXT_ARG) && faults == null && !singleCarrier
                ? Arena.ofAuto().allocate(Ring.WAIT_SCRATCH_BYTES * n, 8) : null;
        this.stallScratch = ring.hasFeature(IoUring.FEAT_EXT_ARG) ? Arena.ofAuto().allocate(Ring.WAIT_SCRATCH_BYTES, 8) : null;
        this.stallNanos = config.stallNanos();
        this.completionThread = Thread.ofPlatform().daemon().name(config.threadName()).unstarted(this::completionLoop);
    }

    /** How many carriers the JDK's virtual-thread scheduler has (its own default: one per CPU). */
    private static int carriers() {
        try {
            return Integer.parseInt(System.getProperty("jdk.virtualThreadScheduler.parallelism", ""));
        } catch (NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** The opcodes an engine must have; without them the file system falls back. */
    private static final byte[] REQUIRED = {
            IoUring.OP_NOP, IoUring.OP_READ, IoUring.OP_WRITE, IoUring.OP_READV, IoUring.OP_WRITEV,
            IoUring.OP_FSYNC, IoUring.OP_ASYNC_CANCEL};

    /** Every opcode uringfs may submit: the restriction list registered with the kernel. */
    static final byte[] USED = {
            IoUring.OP_NOP, IoUring.OP_READV, IoUring.OP_WRITEV, IoUring.OP_FSYNC, IoUring.OP_ASYNC_CANCEL,
            IoUring.OP_OPENAT, IoUring.OP_CLOSE, IoUring.OP_STATX, IoUring.OP_READ, IoUring.OP_WRITE,
            IoUring.OP_SPLICE, IoUring.OP_RENAMEAT, IoUring.OP_UNLINKAT, IoUring.OP_MKDIRAT, IoUring.OP_SYMLINKAT,
            IoUring.OP_LINKAT, IoUring.OP_FSETXATTR, IoUring.OP_FGETXATTR, IoUring.OP_FTRUNCATE};

    /**
     * Creates an engine, or explains why io_uring cannot be used here.
     *
     * @throws UringUnavailableException with a reason a user can act on
     */
    public static Engine start(EngineConfig config) throws UringUnavailableException {
        Ring ring;
        try {
            // The CQ has room for a completion of every slot, so that ops let past the ring limit
            // (stalled ops, see class comment) can never overflow it.
            int depth = config.cqEntries() != 0 ? config.cqEntries() : 2 * config.sqEntries();
            ring = config.ringFactory().create(config.sqEntries(), depth * SLOTS_PER_CQ_ENTRY);
        } catch (RingSetupException e) {
            throw new UringUnavailableException(explain(e), e);
        } catch (UnsupportedOperationException | LinkageError e) {
            throw new UringUnavailableException("io_uring cannot be called from Java here: " + e, e);
        }
        try {
            var missing = ring.probe().missing(REQUIRED);
            for (byte op : REQUIRED) {
                if (config.disabledOps().contains((int) op) && !missing.contains(IoUring.opName(op))) {
                    missing.add(IoUring.opName(op));
                }
            }
            if (!missing.isEmpty()) {
                throw new UringUnavailableException("the kernel's io_uring lacks opcodes uringfs needs: "
                        + String.join(", ", missing) + " (Linux 5.6 or newer has them)");
            }
            ring.restrictAndEnable(config.restrict() ? restrictionList(ring.probe()) : null);
        } catch (RingSetupException e) {
            ring.close();
            throw new UringUnavailableException(explain(e), e);
        } catch (UringUnavailableException e) {
            ring.close();
            throw e;
        }
        Engine engine = new Engine(ring, config);
        engine.completionThread.start();
        int probe = engine.probeCancel();
        if (probe != -Errno.ENOENT && probe != -Errno.EINVAL && probe < 0) {
            engine.close();
            throw new UringUnavailableException("io_uring_enter was refused (errno " + -probe + ")"
                    + (probe == -Errno.EPERM ? ", most likely by a seccomp filter" : ""));
        }
        engine.cancelFlags = probe != -Errno.EINVAL;
        UringEvents.register(engine);
        return engine;
    }

    private static byte[] restrictionList(Probe probe) {
        int n = 0;
        byte[] out = new byte[USED.length];
        for (byte op : USED) if (probe.supports(op)) out[n++] = op;
        return java.util.Arrays.copyOf(out, n);
    }

    /** Turns a setup errno into the reason, naming the setting behind it. */
    static String explain(RingSetupException e) {
        String sysctl = readSysctl();
        String what = e.getMessage();
        return switch (e.errno()) {
            case 1 /* EPERM */ -> switch (sysctl) {
                case "2" -> "io_uring is disabled on this host (kernel.io_uring_disabled=2): " + what;
                case "1" -> "io_uring is restricted to the io_uring_group (kernel.io_uring_disabled=1) and this process is not in it: " + what;
                default -> "io_uring_setup was refused (EPERM), most likely by a seccomp filter such as Docker's default profile"
                        + " (run with --security-opt seccomp=<profile allowing io_uring_*>): " + what;
            };
            case 38 /* ENOSYS */ -> "the kernel has no io_uring (Linux older than 5.1, CONFIG_IO_URING off, or a seccomp filter answering ENOSYS): " + what;
            case 12 /* ENOMEM */ -> "the ring's memory could not be locked: raise RLIMIT_MEMLOCK (ulimit -l) or use Linux 5.12+, which does not charge rings to it: " + what;
            case 24, 23 /* EMFILE, ENFILE */ -> "no file descriptor left for the ring: " + what;
            default -> "io_uring could not be set up: " + what;
        };
    }

    private static String readSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Whether ops of this opcode go to the ring (the kernel has it and it is not disabled). */
    public boolean supports(byte opcode) {
        return usable[opcode & 0xFF];
    }

    public Probe probe() {
        return probe;
    }

    /** Ops the engine holds at once: in the ring, queued for it, or being prepared. */
    public int slotCount() {
        return slots.length;
    }

    /** Ops other than cancellations the kernel may hold at once (the rest wait in the engine's queue). */
    public int ringLimit() {
        return ringLimit;
    }

    /** The {@link #ringLimit()} while buffered reads are in the kernel (see class comment). */
    public int bufferedRingLimit() {
        return bufferedRingLimit;
    }

    /** Slots for ops other than cancellations: every slot but those reserved for cancels. */
    int opSlots() {
        return slots.length - (slots.length / SLOTS_PER_CQ_ENTRY - ringLimit);
    }

    /** Slots an op may take right now (tests: every slot comes back once the engine is idle). */
    int freeOpSlots() {
        return opPermits.availablePermits();
    }

    public EngineStats stats() {
        return stats;
    }

    /** Whether cancellations use ASYNC_CANCEL's flags (Linux 5.19) rather than one cancel per op. */
    boolean cancelsWithFlags() {
        return cancelFlags;
    }

    // ---- slots ----

    /**
     * A free slot to prepare an op in. Parks (never fails) while every slot is in flight.
     *
     * @throws IllegalStateException if the engine is closed
     */
    public Op acquire() {
        if (closed) throw new IllegalStateException("io_uring engine is closed");
        // tryAcquire() barges even on a fair semaphore: queue behind the waiters instead.
        if (opPermits.hasQueuedThreads() || !opPermits.tryAcquire()) {
            stats.slotWaits.increment();
            opPermits.acquireUninterruptibly();
        }
        return take(false);
    }

    private Op take(boolean cancel) {
        Op op = slots[free.pop()];
        op.isCancel = cancel;
        op.generation++;
        op.cancelledGeneration = op.generation - 1; // not this one
        op.waiter = null;
        op.callback = null;
        op.executor = null;
        op.parking = false;
        op.injectedRes = 0;
        op.inKernel = false;
        op.stalled = false;
        op.state = Op.PREPARED;
        return op;
    }

    /** Returns a slot whose op has completed (or was never submitted) to the free list. */
    public void release(Op op) {
        int s = op.state;
        if (s == Op.SUBMITTED) throw new IllegalStateException("op still in flight");
        if (s == Op.FREE) throw new IllegalStateException("op released twice");
        if (op.event != null) UringEvents.commit(op);
        op.state = Op.FREE;
        op.waiter = null;
        op.callback = null;
        op.executor = null;
        boolean cancel = op.isCancel;
        free.push(op.index);
        if (cancel) {
            cancelPermits.release();
        } else if (opPermits.hasQueuedThreads() && Thread.currentThread().isVirtual() && completionThreadAwake) {
            // Handed on from a carrier, the slot would wake its waiter onto that carrier's own
            // queue, which the scheduler serves before threads woken from outside (timers, the
            // completion thread): under slot contention those starved (a 1 ms ticker beside 1,000
            // readers on one carrier: p99 84-587 ms). The completion thread hands it on instead.
            deferredPermits.incrementAndGet();
            if (!completionThreadAwake) releaseDeferredPermits(); // it may be going to sleep: do not leave the slot with it
        } else {
            opPermits.release();
        }
    }

    private void releaseDeferredPermits() {
        int n = deferredPermits.getAndSet(0);
        if (n > 0) opPermits.release(n);
    }

    // ---- submission ----

    /**
     * Submits the op and waits for its completion, then releases the slot. The wait ends only with
     * the CQE. If the thread is interrupted while waiting and {@code cancelOnInterrupt} is set, the
     * op is cancelled ({@code -ECANCELED} unless it finished first); either way the interrupt status
     * is kept.
     *
     * @return the CQE's result: non-negative on success, {@code -errno} on failure
     */
    public int submitAndAwait(Op op, boolean cancelOnInterrupt) {
        Thread me = Thread.currentThread();
        op.waiter = me;
        boolean sameWaiter = lastWaiter == me;
        if (!sameWaiter) lastWaiter = me;
        enterRingOrRelease(op);
        try {
            enqueue(op, sameWaiter, false);
            if (op.state != Op.DONE) reap();
            if (op.state != Op.DONE && sameWaiter && waitScratch != null && inFlight.get() <= 1
                    && CarrierQuantum.wokenNotRun() == 0) {
                awaitBriefly(op);
            }
        } finally {
            exitRing();
        }
        // Leaving the CQE to the completion thread: it may be parked, trusting this thread to wait.
        if (op.state != Op.DONE && completionThreadParked) LockSupport.unpark(completionThread);
        // If the completion thread holds the CQ right now, a CQE the kernel posted during our
        // submission is being completed this very moment: wait for it without parking.
        for (int spins = 0; op.state != Op.DONE && spins < DRAIN_SPINS && cqLock.isLocked(); spins++) {
            Thread.onSpinWait();
        }
        boolean parks = op.state != Op.DONE;
        if (parks) {
            op.parking = true;
            stats.parkedWaits.increment();
        }
        boolean interrupted = false, cancelSent = false;
        while (op.state != Op.DONE) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
                if (cancelOnInterrupt && !cancelSent && op.state != Op.DONE) {
                    cancelSent = true;
                    cancel(op.userData());
                }
            }
        }
        if (parks) wakeHandedOn();
        int res = op.res;
        release(op);
        if (interrupted) Thread.currentThread().interrupt();
        CarrierQuantum.waited(parks);
        return res;
    }

    /**
     * Waits in the kernel, at most {@link #BRIEF_WAIT_NANOS}, until the op's CQE is posted, and
     * reaps it (see class comment). Called between {@link #enterRing()} and {@link #exitRing()}.
     */
    private void awaitBriefly(Op op) {
        stats.briefWaits.increment();
        MemorySegment scratch = waitScratch.asSlice(op.index * Ring.WAIT_SCRATCH_BYTES, Ring.WAIT_SCRATCH_BYTES);
        long deadline = System.nanoTime() + BRIEF_WAIT_NANOS;
        while (op.state != Op.DONE) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            if (ring.cqTail() != ring.cqHead()) {
                // Someone else's CQE, or ours with the completion thread draining it right now.
                if (reap() == 0) Thread.onSpinWait();
            } else {
                ring.waitForCompletions(1, left, scratch);
            }
        }
    }

    /** {@link #submitAndAwait(Op, boolean)} that does not cancel on interrupt. */
    public int submitAndAwait(Op op) {
        return submitAndAwait(op, false);
    }

    /** Acquires a slot, runs a NOP, returns its result (0). For tests and warm-up. */
    public int nop() {
        return submitAndAwait(acquire().prepNop());
    }

    /**
     * Submits the op; when its CQE arrives the slot is released and {@code callback} runs on
     * {@code executor} (never on the completion thread; if the executor rejects it, on a new
     * virtual thread).
     */
    public void submitAsync(Op op, Executor executor, Completion callback) {
        op.callback = callback;
        op.executor = executor;
        enterRingOrRelease(op);
        Thread me = Thread.currentThread();
        try {
            enqueue(op, false, !me.isVirtual() && me != completionThread);
        } finally {
            exitRing();
        }
    }

    /**
     * Registers the calling thread as a ring user, or, if the engine has shut its ring, releases
     * the never-submitted op and throws. {@link #close()} unmaps the ring only when no thread is
     * registered, so a submitter can never touch unmapped memory.
     */
    private void enterRingOrRelease(Op op) {
        if (!enterRing()) {
            release(op);
            throw new IllegalStateException("io_uring engine is closed");
        }
    }

    private boolean enterRing() {
        ringUsers.increment();
        if (ringClosed) {
            ringUsers.decrement();
            return false;
        }
        return true;
    }

    private void exitRing() {
        ringUsers.decrement();
    }

    /** Cancels the op with {@code userData} if it is still in flight. Fire-and-forget: it completes through its own CQE. */
    private void cancel(long userData) {
        // Once the ring is shut, the closer has cancelled everything itself.
        if (!enterRing()) return;
        try {
            if (markCancelled(userData)) cancelLocked(userData, -1, 0);
        } finally {
            exitRing();
        }
    }

    /**
     * Cancels every op in flight on {@code fd}, or every op at all ({@code fd < 0}). Fire-and-forget:
     * the cancelled ops complete through their own CQEs. Before Linux 5.19, whose ASYNC_CANCEL
     * takes no flags (it answers {@code EINVAL}), each op is cancelled by its user_data.
     */
    private void cancelMatching(int fd) {
        if (!enterRing()) return;
        try {
            if (cancelFlags) {
                markCancelledMatching(fd);
                cancelLocked(0, fd, IoUring.ASYNC_CANCEL_ALL | (fd < 0 ? IoUring.ASYNC_CANCEL_ANY : 0));
            } else {
                for (long userData : userDataMatching(fd)) {
                    if (ringClosed) break; // the closer cancels the rest
                    if (markCancelled(userData)) cancelLocked(userData, -1, 0);
                }
            }
        } finally {
            exitRing();
        }
    }

    /** The user_data of every op in flight on {@code fd} (every op: {@code fd < 0}); a racy snapshot, harmless: a stale one matches nothing. */
    private long[] userDataMatching(int fd) {
        long[] out = new long[slots.length];
        int n = 0;
        for (Op op : slots) {
            int generation = op.generation;
            if (op.state == Op.SUBMITTED && !op.isCancel && (fd < 0 || op.fd == fd)) out[n++] = Op.userData(op.index, generation);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Marks the op an ASYNC_CANCEL for {@code userData} is meant for, so that if it is still in the
     * engine's queue it completes with {@code -ECANCELED} instead of reaching the kernel after the
     * cancel. A mark names the op's generation: a slot reused meanwhile is never cancelled by mistake.
     *
     * @return whether the op is still in flight
     */
    private boolean markCancelled(long userData) {
        if (!slots[(int) userData].markCancelled((int) (userData >>> 32))) return false;
        cancelMarks.incrementAndGet();
        return true;
    }

    /** {@link #markCancelled(long)} for every op in flight on {@code fd} (every op: {@code fd < 0}). */
    private void markCancelledMatching(int fd) {
        int marked = 0;
        for (Op op : slots) {
            if (!op.isCancel && (fd < 0 || op.fd == fd) && op.markCancelled(op.generation)) marked++;
        }
        if (marked > 0) cancelMarks.incrementAndGet();
    }

    private void cancelLocked(long userData, int fd, int flags) {
        if (!cancelPermits.tryAcquire()) {
            flush(); // cancels this thread pushed may wait for a flush, and hold the permits it waits for
            cancelPermits.acquireUninterruptibly();
        }
        Op c = take(true);
        if (fd >= 0) {
            c.prep(IoUring.OP_ASYNC_CANCEL, fd, 0, 0, 0, flags | IoUring.ASYNC_CANCEL_FD);
        } else {
            c.prep(IoUring.OP_ASYNC_CANCEL, -1, userData, 0, 0, flags);
        }
        stats.cancels.increment();
        enqueue(c, false, false);
    }

    /** Asks the kernel to cancel every op in flight on {@code fd} (e.g. a channel being closed). */
    public void cancelAll(int fd) {
        cancelMatching(fd);
    }

    /**
     * The first op: an ASYNC_CANCEL that may match any op, sent while none is in flight. It finds
     * nothing ({@code ENOENT}) where the kernel's cancel takes flags, is refused ({@code EINVAL})
     * before Linux 5.19, and fails with another errno if the ring cannot be used at all.
     */
    private int probeCancel() {
        cancelPermits.acquireUninterruptibly();
        Op c = take(true);
        c.prep(IoUring.OP_ASYNC_CANCEL, -1, 0, 0, 0, IoUring.ASYNC_CANCEL_ANY);
        return submitAndAwait(c);
    }

    /**
     * {@code submitterMayWait}: the submitter waits for this op in the kernel if it is the only one
     * in flight. {@code leaveFlush}: the submitter leaves the system call to the completion thread
     * where it can (an async op from a platform thread, see {@link #leftToCompletionThread}).
     */
    private void enqueue(Op op, boolean submitterMayWait, boolean leaveFlush) {
        op.state = Op.SUBMITTED;
        if (UringEvents.operationsEnabled()) UringEvents.begin(op);
        long nowInFlight = inFlight.incrementAndGet();
        if (!leaveFlush && completionThreadParked && (nowInFlight > 1 || !submitterMayWait)) {
            LockSupport.unpark(completionThread); // nobody else waits for this CQE in the kernel
        }
        stats.byOpcode[op.opcode & 0xFF].increment();
        Op head;
        do {
            head = pending.get();
            op.nextPending = head;
        } while (!pending.compareAndSet(head, op));
        if (leaveFlush && leftToCompletionThread()) return;
        // Under load the completion thread is awake and flushes what is pending before it next
        // sleeps, so the submitter need not spend a system call on its carrier (see
        // completionLoop). With few ops in flight the submitter flushes itself, so that an op
        // the kernel completes inline is reaped by its own thread without a park.
        if (!completionThreadAwake || !busy()) flush();
    }

    /**
     * After a push: whether the completion thread will submit it, so that the pushing thread need
     * not. The kernel finishes a device op as work of the thread that submitted it, which with
     * {@code IORING_SETUP_COOP_TASKRUN} waits for that thread's next system call or timer tick: a
     * platform thread that submits an async read and goes on computing would hold back its
     * completion (its handler ran 1.85 ms after the submission, median of 200 O_DIRECT reads,
     * against 0.81-1.02 ms without the flag). The completion thread waits in the kernel, where such
     * work runs at once. It is parked: it flushes when unparked (at the top of its loop, even if
     * the unpark comes before its park); it is awake: it looks at {@link #pending} again before it
     * sleeps (the push came before this look at the flag). Otherwise (it is in the kernel or about
     * to be) the caller flushes.
     */
    private boolean leftToCompletionThread() {
        if (completionThreadParked) {
            LockSupport.unpark(completionThread);
        } else if (!completionThreadAwake) {
            return false;
        }
        stats.flushesLeft.increment();
        return true;
    }

    /**
     * Becomes the flusher if nobody is, and submits everything pending, as far as the ring has room
     * (see class comment). Whoever lets go of the flush looks again, so work that arrived or room
     * that freed while it held the flush is never left behind.
     */
    private void flush() {
        while (flushDue() && flushing.compareAndSet(false, true)) {
            try {
                do {
                    Op batch = pending.getAndSet(null);
                    if (batch != null) queue(reverse(batch));
                    submitQueued();
                } while (pending.get() != null);
            } finally {
                flushing.set(false);
            }
        }
    }

    /** Whether a flush has something to do: ops pushed, or queued ops that the ring has room for or that were cancelled. */
    private boolean flushDue() {
        return pending.get() != null || queued != 0 && (inRing.get() < ringLimitNow() || cancelMarks.get() != 0);
    }

    /** How many ops the kernel may hold right now: fewer while buffered reads are among them (see class comment). */
    private int ringLimitNow() {
        return bufferedReadsInRing.get() > 0 ? bufferedRingLimit : ringLimit;
    }

    private static Op reverse(Op head) {
        Op prev = null;
        while (head != null) {
            Op next = head.nextPending;
            head.nextPending = prev;
            prev = head;
            head = next;
        }
        return prev;
    }

    /** With the flush held: cancellations go straight into SQEs (their CQ room is reserved), other ops join the queue. */
    private void queue(Op op) {
        while (op != null) {
            Op next = op.nextPending;
            op.nextPending = null;
            if (op.isCancel) {
                prepSqe(op);
            } else {
                int limit = op.bufferedRead ? bufferedRingLimit : ringLimitNow();
                if (inRing.get() + queued >= limit) stats.ringWaits.increment(); // the ops ahead fill the ring
                if (queueTail == null) queueHead = op;
                else queueTail.nextPending = op;
                queueTail = op;
                queued++;
            }
            op = next;
        }
    }

    /** With the flush held: moves queued ops into SQEs while the ring has room, then submits every SQE. */
    private void submitQueued() {
        if (cancelMarks.get() != 0 && queueHead != null) completeCancelledInQueue();
        while (queueHead != null && inRing.get() < ringLimitNow()) {
            Op op = queueHead;
            queueHead = op.nextPending;
            if (queueHead == null) queueTail = null;
            op.nextPending = null;
            queued--;
            if (op.cancelRequested()) {
                finish(op, -Errno.ECANCELED, 0);
            } else {
                inRing.incrementAndGet();
                if (op.bufferedRead) bufferedReadsInRing.incrementAndGet();
                op.epoch = stallEpoch;
                op.inKernel = true;
                prepSqe(op);
            }
        }
        if (queued != 0 && untimedWait) {
            // Ops wait behind the ring limit while the completion thread sleeps without a time
            // limit: a NOP's CQE wakes it, and it then times how long they wait.
            untimedWait = false;
            prepWake();
        }
        enterSubmit();
    }

    /** With the flush held (or the ring shut to all but the closer): the next free SQE, submitting the full SQ first if need be. */
    private long nextSqe() {
        long sqe;
        while ((sqe = ring.sqe()) < 0) {
            stats.sqFull.increment();
            enterSubmit();
        }
        return sqe;
    }

    /** With the flush held: an SQE whose CQE only wakes the completion thread (room for it is kept in the CQ). */
    private void prepWake() {
        ring.prep(nextSqe(), IoUring.OP_NOP, -1, 0, 0, 0, 0, WAKE);
    }

    /** With the flush held: completes every queued op marked cancelled, in queue order. */
    private void completeCancelledInQueue() {
        cancelMarks.set(0);
        Op prev = null;
        for (Op op = queueHead; op != null; ) {
            Op next = op.nextPending;
            if (op.cancelRequested()) {
                if (prev == null) queueHead = next;
                else prev.nextPending = next;
                if (queueTail == op) queueTail = prev;
                op.nextPending = null;
                queued--;
                finish(op, -Errno.ECANCELED, 0);
            } else {
                prev = op;
            }
            op = next;
        }
    }

    /** With the flush held: writes the op into the next SQE. */
    private void prepSqe(Op op) {
        long sqe = nextSqe();
        int len = Faults.ARMED && faults != null ? faults.length(op) : op.len;
        if (Faults.ARMED && faults != null && (op.injectedRes = faults.completionError(op)) != 0) {
            ring.prep(sqe, IoUring.OP_NOP, -1, 0, 0, 0, 0, op.userData()); // completes with the injected result
        } else {
            ring.prep(sqe, op.opcode, op.fd, op.addr, len, op.off, op.opFlags, op.userData());
            if (op.sqeFlags != 0) ring.prepFlags(sqe, op.sqeFlags);
            if (op.spliceFdIn != 0) ring.prepSpliceFdIn(sqe, op.spliceFdIn);
        }
    }

    /** Publishes the SQ tail and calls io_uring_enter until the kernel has consumed every SQE. */
    private void enterSubmit() {
        ring.publish();
        int backoff = 0;
        for (int toSubmit; (toSubmit = ring.sqPending()) > 0; ) {
            int r = enter(toSubmit, 0, 0);
            stats.enterCalls.increment();
            if (r >= 0) {
                backoff = 0;
                continue;
            }
            if (r == -4 /* EINTR */) continue;
            if (r == -11 || r == -16 /* EAGAIN, EBUSY: the kernel wants completions reaped first */) {
                stats.busy.increment();
            } else if (r == -Errno.ENOMEM) {
                stats.submitErrors.increment(); // a thread's first use of the ring could not allocate its context
            } else {
                // Retrying will not help (a seccomp filter's EPERM, a ring being torn down): the
                // SQEs the kernel did not take are taken back, and their ops fail with the errno.
                stats.submitErrors.increment();
                failUnsubmitted(r);
                return;
            }
            reap();
            boolean interrupted = Thread.interrupted(); // else the park returns at once: a spin
            LockSupport.parkNanos(Math.min(1_000_000L, 10_000L << Math.min(backoff++, 6)));
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * With the flush held, after io_uring_enter failed for good: takes back the SQEs the kernel did
     * not consume and completes their ops with {@code res}, as if the kernel had refused each.
     */
    private void failUnsubmitted(int res) {
        if (submitErrorReported.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "io_uring_enter(submit) failed with errno " + -res + "; the ops fail with it");
        }
        long[] userData = new long[ring.sqPending()];
        for (int i = 0; i < userData.length; i++) userData[i] = ring.pendingUserData(i);
        ring.unpublish();
        for (long ud : userData) {
            if (ud == WAKE) continue;
            Op op = slots[(int) ud];
            if (op.generation != (int) (ud >>> 32) || op.state != Op.SUBMITTED) continue;
            if (!op.isCancel && !op.stalled) uncount(op);
            finish(op, res, 0);
        }
    }

    private int enter(int toSubmit, int minComplete, int flags) {
        return Faults.ARMED && faults != null ? faults.enter(ring, toSubmit, minComplete, flags)
                                              : ring.enter(toSubmit, minComplete, flags);
    }

    // ---- completion ----

    /** Reaps available CQEs unless someone else is already doing so. Returns the number reaped. */
    private int reap() {
        if (pausing || !cqLock.tryLock()) return 0;
        int n;
        try {
            n = drain();
        } finally {
            cqLock.unlock();
        }
        if (n > 0) {
            stats.inlineReaps.add(n);
            if (queued != 0) flush(); // the room just made is the queue's (a no-op inside a flush)
        }
        return n;
    }

    /** With {@link #cqLock} held: completes every CQE in the ring. */
    private int drain() {
        int head = ring.cqHead();
        int tail = ring.cqTail();
        int n = 0;
        while (head != tail) {
            long userData = ring.cqeUserData(head);
            int res = ring.cqeRes(head);
            int flags = ring.cqeFlags(head);
            // Give the CQE back before completing it: completing frees a slot, whose next op may
            // complete before this loop ends, and its CQE must find room.
            ring.cqAdvance(++head);
            complete(userData, res, flags);
            n++;
            if (head == tail) tail = ring.cqTail();
        }
        return n;
    }

    private void complete(long userData, int res, int flags) {
        if (userData == WAKE) return;
        int index = (int) userData;
        int generation = (int) (userData >>> 32);
        Op op = index >= 0 && index < slots.length ? slots[index] : null;
        if (op == null || op.generation != generation || op.state != Op.SUBMITTED) {
            stats.strayCompletions.increment();
            return;
        }
        if (!op.isCancel && !op.stalled) uncount(op);
        finish(op, res, flags);
    }

    /** The op no longer counts against the ring limit: its CQE came, its SQE was taken back, or it stalled. */
    private void uncount(Op op) {
        inRing.decrementAndGet();
        if (op.bufferedRead) bufferedReadsInRing.decrementAndGet();
    }

    /** Publishes the op's result and wakes whoever waits for it: a CQE's, or -ECANCELED for an op that never reached the kernel. */
    private void finish(Op op, int res, int flags) {
        op.res = Faults.ARMED && op.injectedRes != 0 ? op.injectedRes : res;
        op.cqeFlags = flags;
        Thread waiter = op.waiter;
        Executor executor = op.executor;
        boolean cancel = op.isCancel;
        // Count the op out before publishing its result: a waiter that sees DONE (spinning, in its
        // brief wait, or woken spuriously) may return and read inFlight() or the statistics
        // before this thread runs its next instruction.
        stats.completed.increment();
        boolean drained = inFlight.decrementAndGet() == 0;
        if (waiter != null) CarrierQuantum.waking(waiter);
        else if (executor != null) CarrierQuantum.waking(null);
        boolean onCompletionThread = Thread.currentThread() == completionThread;
        boolean handing = onCompletionThread && handingOn; // a flusher may finish ops meanwhile
        if (singleCarrier && onCompletionThread && waiter != null && waiter.isVirtual() && op.parking) wokenSincePause++;
        boolean lead = waiter != null && handing && leaderOp == null && op.parking;
        if (lead) {
            leaderOp = op; // published DONE after the drain, so that it wakes only once every other is handed on
        } else {
            op.state = Op.DONE;
            if (Faults.ARMED && faults != null) faults.afterPublish();
        }
        if (waiter != null) {
            if (!lead) {
                if (handing && handOn(waiter)) handedOnInDrain = true;
                else LockSupport.unpark(waiter);
            }
        } else if (executor != null) {
            try {
                executor.execute(op);
            } catch (RejectedExecutionException e) {
                Thread.ofVirtual().start(op);
            }
        } else if (cancel) {
            release(op);
        }
        if (drained && closed) {
            Thread c = closer;
            if (c != null) LockSupport.unpark(c);
        }
    }

    /** Completion thread only: queues a finished op's waiter for a woken waiter to unpark; false if the queue is full. */
    private boolean handOn(Thread waiter) {
        long tail = handoffTail;
        int i = (int) (tail % handoff.length());
        if (tail - handoffHead.get() >= handoff.length() || handoff.get(i) != null) return false;
        handoff.set(i, waiter);
        handoffTail = tail + 1;
        return true;
    }

    /** Unparks every waiter handed on so far. */
    private void wakeHandedOn() {
        if (pausing && Thread.currentThread() != completionThread) return;
        long h;
        while ((h = handoffHead.get()) < handoffTail) {
            if (handoffHead.compareAndSet(h, h + 1)) {
                LockSupport.unpark(handoff.getAndSet((int) (h % handoff.length()), null));
                if (Thread.currentThread() != completionThread) stats.handedOn.increment();
            }
        }
    }

    /**
     * Completion thread only, after a drain: publishes the leader's op and wakes it, or, if no
     * waiter of the drain was parked to lead, wakes the ones it handed on itself. Either way every
     * waiter handed on is woken: a leader, once it runs, wakes all of them ({@link #submitAndAwait}).
     */
    private void wakeLeader() {
        Op lead = leaderOp;
        boolean handedOn = handedOnInDrain;
        leaderOp = null;
        handedOnInDrain = false;
        if (lead == null) {
            if (handedOn) wakeHandedOn();
            return;
        }
        Thread waiter = lead.waiter;
        lead.state = Op.DONE;
        if (Faults.ARMED && faults != null) faults.afterPublish();
        LockSupport.unpark(waiter);
    }

    /**
     * Single carrier only (see class comment): after a millisecond in which it woke many virtual
     * threads, stops waking any until every one it woke has run, and a moment more.
     */
    private void pauseIfDue() {
        if (wokenSincePause < PAUSE_AFTER_WAKES) return;
        long now = System.nanoTime();
        if (now - lastPause < PAUSE_PERIOD_NANOS) return;
        pausing = true;
        long giveUp = now + PAUSE_LIMIT_NANOS;
        // Woken and not run yet: those uringfs counts, less those still in the hand-on queue.
        while (CarrierQuantum.wokenNotRun() > handoffTail - handoffHead.get() && System.nanoTime() - giveUp < 0) {
            LockSupport.parkNanos(PAUSE_NANOS);
        }
        LockSupport.parkNanos(PAUSE_NANOS);
        pausing = false;
        wakeHandedOn();
        wokenSincePause = 0;
        lastPause = System.nanoTime();
    }

    private void completionLoop() {
        while (true) {
            int n;
            cqLock.lock();
            try {
                handingOn = true;
                n = drain();
                handingOn = false;
                if ((ring.sqFlags() & IoUring.SQ_CQ_OVERFLOW) != 0) {
                    // Completions the kernel could not post are waiting in its overflow list;
                    // an enter with GETEVENTS moves them into the CQ.
                    stats.cqOverflows.increment();
                    enter(0, 0, IoUring.ENTER_GETEVENTS);
                    continue;
                }
            } finally {
                cqLock.unlock();
            }
            if (n > 0) stats.completionThreadReaps.add(n);
            if (queued != 0 && stallScratch != null) timeStalls();
            wakeLeader();
            releaseDeferredPermits();
            if (singleCarrier) pauseIfDue();
            if (flushDue() && enterRing()) {
                try {
                    flush();
                } finally {
                    exitRing();
                }
            }
            if (ringClosed && inFlight.get() == 0) {
                completionThreadAwake = false; // from now on slots are handed on by whoever frees them
                releaseDeferredPermits();
                return;
            }
            if (n == 0) {
                // Publish that we are going to sleep, then look once more: a submitter that pushed
                // before seeing the flag is caught here, one that pushes after sees it and flushes.
                // Ops pending while another thread flushes are that flusher's to submit (flush
                // looks at pending again after it lets go): looping back for them would spin for
                // the length of its io_uring_enter (measured: a fifth of this thread's CPU time).
                completionThreadAwake = false;
                if (flushDue() && !flushing.get() && !ringClosed || deferredPermits.get() != 0) {
                    completionThreadAwake = true;
                    continue;
                }
                if (waitScratch != null && inFlight.get() == 0) {
                    // Nothing in flight: park instead of waiting on the ring, so that the CQE of a
                    // lone op, which its submitter reaps while waiting in the kernel, does not wake
                    // this thread as well. Flag first, then look: a submitter that raised inFlight
                    // before the flag was set is seen here; one after it sees the flag.
                    completionThreadParked = true;
                    if (inFlight.get() == 0 && !ringClosed) LockSupport.park(this);
                    completionThreadParked = false;
                    completionThreadAwake = true;
                    continue;
                }
                int r = awaitCompletions();
                completionThreadAwake = true;
                if (r < 0 && r != -4 /* EINTR */ && r != -62 /* ETIME */ && r != -16 /* EBUSY */) {
                    LOG.log(System.Logger.Level.ERROR, "io_uring_enter(GETEVENTS) failed: errno " + -r);
                    LockSupport.parkNanos(1_000_000L);
                }
            }
        }
    }

    /**
     * Completion thread only: waits in the kernel for a CQE; while ops queue, at most until the
     * next stall epoch is due, where the kernel can bound the wait (Linux 5.11).
     */
    private int awaitCompletions() {
        if (stallScratch == null) return enter(0, 1, IoUring.ENTER_GETEVENTS);
        untimedWait = true; // then look: a flusher that queued ops before seeing the flag is seen here
        if (queued == 0) {
            int r = enter(0, 1, IoUring.ENTER_GETEVENTS);
            untimedWait = false;
            return r;
        }
        untimedWait = false;
        if (Faults.ARMED && faults != null && faults.interruptWait()) return -Errno.EINTR;
        long left = stallEpochNanos + stallNanos - System.nanoTime();
        return ring.waitForCompletions(1, Math.max(left, 1_000L), stallScratch);
    }

    /**
     * Completion thread only, while ops queue: advances the stall epoch every {@link #stallNanos},
     * and lets the ops stalled in the kernel stop counting against the ring limit (see class
     * comment): all of them if nothing completed in the last epoch, else those that went into the
     * kernel {@value #STALL_EPOCHS} epochs ago or earlier.
     */
    private void timeStalls() {
        long now = System.nanoTime();
        if (now - stallEpochNanos < stallNanos) return;
        // Holding the flush, nobody puts ops into the kernel or finishes queued ones meanwhile, and
        // what the flushers wrote is visible; holding the CQ lock, nobody completes ops meanwhile.
        if (!flushing.compareAndSet(false, true)) return; // the next round will do
        int n = 0;
        try {
            long completed = stats.completed.sum();
            int age = completed == completedAtEpoch && now - stallEpochNanos < 2 * stallNanos ? 1 : STALL_EPOCHS;
            completedAtEpoch = completed;
            stallEpochNanos = now;
            int epoch = ++stallEpoch;
            cqLock.lock();
            try {
                for (Op op : slots) {
                    if (op.state == Op.SUBMITTED && op.inKernel && !op.stalled && !op.isCancel && epoch - op.epoch >= age) {
                        op.stalled = true;
                        uncount(op);
                        n++;
                    }
                }
            } finally {
                cqLock.unlock();
            }
        } finally {
            flushing.set(false);
        }
        stats.stalledOps.add(n);
    }

    // ---- shutdown ----

    /**
     * Stops accepting ops, cancels those in flight, waits for every CQE, stops the completion
     * thread and unmaps the ring. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closer = Thread.currentThread();
            closed = true;
        }
        // 1. Cancel everything in flight, repeating for ops whose submitters acquired their slot
        //    before the close and submit concurrently with it.
        cancelMatching(-1);
        awaitNothingInFlight(() -> cancelMatching(-1));
        // 2. Shut the ring to every other thread and wait until none is still submitting or reaping.
        ringClosed = true;
        while (ringUsers.sum() != 0) LockSupport.parkNanos(this, 100_000L);
        // 3. Now the only SQ producer: submit what the last submitters left pending for the
        //    completion thread, cancel it, then wake the completion thread, which exits once
        //    nothing is in flight.
        //    Ops still in the engine's queue complete as cancelled without reaching the kernel.
        Runnable cancelRest = () -> {
            markCancelledMatching(-1);
            flush();
            if (cancelFlags) {
                submitDirect(IoUring.OP_ASYNC_CANCEL, 0, IoUring.ASYNC_CANCEL_ANY | IoUring.ASYNC_CANCEL_ALL);
            } else {
                for (long userData : userDataMatching(-1)) submitDirect(IoUring.OP_ASYNC_CANCEL, userData, 0);
            }
        };
        cancelRest.run();
        awaitNothingInFlight(cancelRest);
        submitDirect(IoUring.OP_NOP, 0, 0);
        LockSupport.unpark(completionThread); // in case it parked with nothing in flight
        boolean interrupted = false;
        while (true) {
            try {
                completionThread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        UringEvents.unregister(this);
        ring.close();
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** user_data of the closer's own SQEs, which match no slot. */
    private static final long WAKE = -1L;

    private void awaitNothingInFlight(Runnable cancelAgain) {
        long next = System.nanoTime() + 100_000_000L;
        while (inFlight.get() > 0) {
            if (System.nanoTime() - next >= 0) {
                cancelAgain.run();
                next = System.nanoTime() + 100_000_000L;
            }
            LockSupport.parkNanos(this, 1_000_000L);
        }
    }

    /** With the ring shut to everyone else: submits one SQE whose CQE the completion thread ignores. */
    private void submitDirect(byte opcode, long addr, int opFlags) {
        ring.prep(nextSqe(), opcode, -1, addr, 0, 0, opFlags, WAKE);
        enterSubmit();
    }

    public boolean isClosed() {
        return closed;
    }

    /** The ring, for tests in this package that look at the kernel's side of it (its CQ overflow flag). */
    Ring ring() {
        return ring;
    }

    /** Whether many ops are in flight (more than {@value #HANDOFF_IN_FLIGHT}): the device is probably busy. */
    public boolean busy() {
        return inFlight.get() > HANDOFF_IN_FLIGHT;
    }

    /** Ops submitted whose CQE has not yet arrived. */
    public long inFlight() {
        return inFlight.get();
    }

    /**
     * A snapshot of the ops in flight, one line each (slot, opcode, fd, length, offset, who waits),
     * plus the submission and completion state: what to look at when a thread waits for a CQE that
     * does not come. Racy by design (slots change under it); for diagnostics only.
     */
    public java.util.List<String> describeInFlight() {
        var out = new java.util.ArrayList<String>();
        out.add("inFlight=" + inFlight.get() + " inRing=" + inRing.get() + " queued=" + queued
                + " pendingSubmission=" + (pending.get() != null) + " flushing=" + flushing.get()
                + " completionThreadAwake=" + completionThreadAwake + " completionThread=" + completionThread.getState()
                + " closed=" + closed + " freePermits=" + opPermits.availablePermits() + "/" + cancelPermits.availablePermits()
                + " " + stats);
        for (Op op : slots) {
            if (op.state != Op.SUBMITTED) continue;
            Thread w = op.waiter;
            out.add("slot " + op.index + " gen " + op.generation + ": " + IoUring.opName(op.opcode) + " fd=" + op.fd
                    + " len=" + op.len + " off=" + op.off + " flags=0x" + Integer.toHexString(op.opFlags)
                    + (op.isCancel ? " (cancel)" : "") + (op.stalled ? " (stalled)" : "")
                    + (w != null ? " waiter=" + w + " " + w.getState() : op.executor != null ? " async" : ""));
        }
        return out;
    }

    /** The completion thread, for tests and diagnostics. */
    public Thread completionThread() {
        return completionThread;
    }

    /** Lock-free stack of free slot indexes; the head carries a version against ABA. */
    private static final class FreeList {
        private final int[] next;
        private final AtomicLong head = new AtomicLong();

        FreeList(int n) {
            next = new int[n];
            for (int i = 0; i < n; i++) next[i] = i + 1 < n ? i + 1 : -1;
            head.set(pack(0, n > 0 ? 0 : -1));
        }

        private static long pack(long version, int index) {
            return (version << 32) | (index & 0xFFFF_FFFFL);
        }

        int pop() {
            while (true) {
                long h = head.get();
                int index = (int) h;
                if (index < 0) throw new IllegalStateException("no free slot despite a permit");
                if (head.compareAndSet(h, pack((h >>> 32) + 1, next[index]))) return index;
            }
        }

        void push(int index) {
            while (true) {
                long h = head.get();
                next[index] = (int) h;
                if (head.compareAndSet(h, pack((h >>> 32) + 1, index))) return;
            }
        }
    }
}
