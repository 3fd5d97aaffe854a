package io.uringfs.fs;

import java.io.IOException;
import java.util.Map;

/**
 * An attribute view addressed by name ({@code Files.getAttribute/setAttribute/readAttributes(path,
 * "view:a,b")}): the by-name half of every uring attribute view.
 */
interface DynamicFileAttributeView {
    /** Sets {@code attribute} (no view prefix) or throws IllegalArgumentException if unknown. */
    void setAttribute(String attribute, Object value) throws IOException;

    /** The requested attributes ({@code "*"} for all) or IllegalArgumentException for an unknown one. */
    Map<String, Object> readAttributes(String[] attributes) throws IOException;
}
