package io.uringfs.engine;

/** Receives the result of an async op: non-negative on success, {@code -errno} on failure. */
@FunctionalInterface
public interface Completion {
    void completed(int result);
}
