package io.uringfs.it.diff;

/** An exception a scenario caught in the middle of its steps and reports as part of its result. */
record Thrown(Throwable exception) {}
