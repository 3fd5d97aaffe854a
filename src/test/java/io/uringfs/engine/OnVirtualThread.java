package io.uringfs.engine;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** For tests of what differs on virtual threads: runs a task on a new one and waits for it. */
public final class OnVirtualThread {
    private OnVirtualThread() {}

    /** The task's result, or what it threw (an exception or error as is). */
    public static <T> T call(Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(task);
        Thread.ofVirtual().start(f).join();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            if (e.getCause() instanceof Error x) throw x;
            throw e;
        }
    }
}
