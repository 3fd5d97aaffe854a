package io.uringfs.it.diff;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One row of the differential table: a named action over a fresh root directory. What it returns
 * (or throws) and the tree it leaves behind are compared across providers.
 *
 * @param jimfsNotApplicable  why the scenario does not apply to jimfs, or null
 * @param jimfsMessagesDiffer why jimfs's exception messages legitimately differ (classes, results
 *                            and trees are still compared), or null
 * @param jimfsExpected       a documented difference of jimfs's outcome, or null
 */
record Scenario(String name, Body body, String jimfsNotApplicable, String jimfsMessagesDiffer,
                JimfsExpected jimfsExpected) {

    /**
     * An outcome jimfs legitimately shows differently (e.g. because the JDK treats the default file
     * system specially): why, and how the default provider's outcome text changes for jimfs.
     */
    record JimfsExpected(String reason, UnaryOperator<String> expectation) {}

    /** The scenario's action. Exceptions it throws are part of its outcome. */
    @FunctionalInterface
    interface Body {
        Object run(Path root) throws Exception;
    }

    Scenario {
        Objects.requireNonNull(name);
        Objects.requireNonNull(body);
    }

    static Scenario of(String name, Body body) {
        return new Scenario(name, body, null, null, null);
    }

    Scenario notOnJimfs(String reason) {
        return new Scenario(name, body, reason, jimfsMessagesDiffer, jimfsExpected);
    }

    Scenario jimfsMessagesDiffer(String reason) {
        return new Scenario(name, body, jimfsNotApplicable, reason, jimfsExpected);
    }

    Scenario onJimfs(String reason, UnaryOperator<String> expectation) {
        return new Scenario(name, body, jimfsNotApplicable, jimfsMessagesDiffer, new JimfsExpected(reason, expectation));
    }
}
