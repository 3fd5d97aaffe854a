package io.uringfs.reliability;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a child JVM (this JDK, the library and test classes, native access enabled) running a main class. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * The library's and the test classes' directories (or jars) only: enough for the child mains,
     * and readable by an unprivileged user, unlike the Maven repository.
     */
    static String classPath() {
        return location(io.uringfs.fs.UringFileSystemProvider.class) + java.io.File.pathSeparator + location(ChildJvm.class);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code prefix} (e.g. setpriv ...) then java ... main args. */
    static ProcessBuilder builder(List<String> prefix, Class<?> main, String... args) {
        return builder(prefix, classPath(), main, args);
    }

    /** As {@link #builder(List, Class, String...)}, with this JVM's class path: the test libraries too. */
    public static ProcessBuilder withTestClassPath(List<String> prefix, Class<?> main, String... args) {
        return builder(prefix, System.getProperty("java.class.path"), main, args);
    }

    private static ProcessBuilder builder(List<String> prefix, String classPath, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Process start(Class<?> main, String... args) throws IOException {
        return builder(List.of(), main, args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
