package io.uringfs.channel;

/** Identity of a file (device, inode): the key of the JVM-wide lock table. */
record FileKey(long dev, long ino) {}
