package io.flux.media.storage.local.internal;

/** When written data is forced to the disk. */
public enum FsyncPolicy {
    /** Never: the rename is still atomic for readers, but a power loss may lose recent objects. */
    NEVER,
    /** Once per object, before the rename, and the directory after it: a committed object survives a power loss. */
    ON_CLOSE,
    /** After every buffer written, plus what ON_CLOSE does: the slowest, for disks with huge write caches. */
    ALWAYS
}
