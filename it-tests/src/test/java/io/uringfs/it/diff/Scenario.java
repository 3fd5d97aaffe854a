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
 * @param nonDefault          the documented difference of every non-default file system, or null
 */
record Scenario(String name, Body body, String jimfsNotApplicable, String jimfsMessagesDiffer,
                NonDefault nonDefault) {

    /**
     * A difference every file system but the JDK's default one shows because of the JDK itself (not
     * the provider): why, and how the default provider's outcome text changes.
     */
    record NonDefault(String reason, UnaryOperator<String> expectation) {}

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
        return new Scenario(name, body, reason, jimfsMessagesDiffer, nonDefault);
    }

    Scenario jimfsMessagesDiffer(String reason) {
        return new Scenario(name, body, jimfsNotApplicable, reason, nonDefault);
    }

    Scenario onNonDefaultFileSystems(String reason, UnaryOperator<String> expectation) {
        return new Scenario(name, body, jimfsNotApplicable, jimfsMessagesDiffer, new NonDefault(reason, expectation));
    }
}
