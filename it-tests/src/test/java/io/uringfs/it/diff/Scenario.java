package io.uringfs.it.diff;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One row of the differential table: a named action over a fresh root directory. What it returns
 * (or throws) and the tree it leaves behind are compared across providers.
 *
 * @param jimfsNotApplicable  why the scenario does not apply to jimfs, or null
 * @param jimfsMessagesDiffer why jimfs's exception messages legitimately differ (classes, results
 *                            and trees are still compared), or null
 */
record Scenario(String name, Body body, String jimfsNotApplicable, String jimfsMessagesDiffer) {

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
        return new Scenario(name, body, null, null);
    }

    Scenario notOnJimfs(String reason) {
        return new Scenario(name, body, reason, jimfsMessagesDiffer);
    }

    Scenario jimfsMessagesDiffer(String reason) {
        return new Scenario(name, body, jimfsNotApplicable, reason);
    }
}
