package io.uringfs.fs;

import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * One line of a mount table ({@code /proc/mounts} format), with the octal escapes of
 * {@code getmntent(3)} already decoded. The mount point is kept as raw bytes because, like a
 * path, it need not be valid in the platform charset. Immutable.
 */
final class MountEntry {
    private final String name;
    private final byte[] dir;
    private final String type;
    private final String options;

    MountEntry(String name, byte[] dir, String type, String options) {
        this.name = name;
        this.dir = dir;
        this.type = type;
        this.options = options;
    }

    /** The mounted device or file system name ({@code mnt_fsname}), e.g. {@code /dev/vda}. */
    String name() {
        return name;
    }

    /** The mount point's bytes. */
    byte[] dir() {
        return dir.clone();
    }

    boolean isMountPoint(byte[] path) {
        return Arrays.equals(dir, path);
    }

    String dirString(Charset charset) {
        return new String(dir, charset);
    }

    String type() {
        return type;
    }

    boolean hasOption(String option) {
        for (String o : options.split(",")) {
            if (o.equals(option)) return true;
        }
        return false;
    }

    boolean isReadOnly() {
        return hasOption("ro");
    }

    /** Entries marked {@code ignore} are left out of {@code getFileStores()}, as by the JDK. */
    boolean isIgnored() {
        return hasOption("ignore");
    }

    int dirHashCode() {
        return Arrays.hashCode(dir);
    }
}
