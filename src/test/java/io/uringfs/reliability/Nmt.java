package io.uringfs.reliability;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Native Memory Tracking's summary of this JVM ({@code jcmd PID VM.native_memory summary},
 * through the DiagnosticCommand MBean). FFM arenas and direct buffers are allocated with
 * {@code Unsafe.allocateMemory}, which NMT files under "Other" (not "Arena Chunk", which is
 * HotSpot's own arena allocator): that is the category to watch for the library's native memory.
 */
final class Nmt {
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB");

    private Nmt() {}

    /** Committed bytes in NMT's "Other" category, or -1 if the JVM runs without NMT. */
    static long otherBytes() {
        try {
            String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = OTHER.matcher(summary);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }
}
