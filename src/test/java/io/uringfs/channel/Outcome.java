package io.uringfs.channel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What an operation did, as a comparable string: {@code = value} or the exception's class and
 * message (with its cause for {@link ExecutionException}), so that differential tests can compare
 * the default provider's channels with uring's outcome by outcome.
 */
final class Outcome {
    private Outcome() {}

    interface Op {
        Object run() throws Throwable;
    }

    static String of(Op op) {
        try {
            Object r = op.run();
            if (r instanceof Future<?> f) {
                try {
                    r = "future " + of(() -> f.get(10, TimeUnit.SECONDS));
                } catch (RuntimeException e) {
                    r = "future " + describe(e);
                }
            }
            return "= " + r;
        } catch (Throwable e) {
            return describe(e);
        }
    }

    static String describe(Throwable e) {
        String s = e.getClass().getName() + ": " + e.getMessage();
        return e instanceof ExecutionException && e.getCause() != null ? s + " / cause " + describe(e.getCause()) : s;
    }

    /** Adapts a {@code CompletionHandler}-style call: the outcome the handler saw. */
    static <V> CompletableFuture<V> handler(java.util.function.Consumer<java.nio.channels.CompletionHandler<V, Object>> call) {
        CompletableFuture<V> f = new CompletableFuture<>();
        call.accept(new java.nio.channels.CompletionHandler<>() {
            @Override
            public void completed(V v, Object a) {
                f.complete(v);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                f.completeExceptionally(exc);
            }
        });
        return f;
    }
}
