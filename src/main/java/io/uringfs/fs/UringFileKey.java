package io.uringfs.fs;

/**
 * The {@code fileKey()} of uring attributes: device and inode, with the default provider's
 * {@code toString} format ({@code (dev=<hex>,ino=<decimal>)}). Immutable.
 */
record UringFileKey(long dev, long ino) {
    @Override
    public int hashCode() {
        return Long.hashCode(dev) + Long.hashCode(ino);
    }

    @Override
    public String toString() {
        return "(dev=" + Long.toHexString(dev) + ",ino=" + ino + ")";
    }
}
