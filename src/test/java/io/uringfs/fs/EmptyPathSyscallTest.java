package io.uringfs.fs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The empty path reaches the kernel as the working directory's ".", as the default provider passes
 * it: with the directory's own name instead, {@code Files.delete(Path.of(""))} removed an empty
 * working directory and {@code Files.move} moved it, where the default provider fails with
 * "Invalid argument" (rmdir) and "Device or resource busy" (rename). Checked on the bytes, since
 * the operations themselves would act on the test JVM's working directory.
 */
class EmptyPathSyscallTest {
    @Test
    void emptyPathIsTheWorkingDirectorysDot() {
        UringPath empty = (UringPath) Differential.uringFs().getPath("");
        String cwd = System.getProperty("user.dir");
        assertEquals(cwd.equals("/") ? "/." : cwd + "/.", new String(empty.bytesForSyscall(), StandardCharsets.UTF_8));
    }
}
