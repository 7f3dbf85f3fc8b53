package io.flux.media.mpegps;

/** Kinds of damage {@link PsDemuxer} counts in {@link DemuxStats#errors()}. */
public enum DemuxError {
    /** No start code where a header was expected: bytes skipped up to the next one (counted once per stretch). */
    SYNC,
    /** Pack header with a bad marker bit or an unknown layout. */
    PACK_HEADER,
    /** System header too short or with a bad marker bit. */
    SYSTEM_HEADER,
    /** Program stream map with lengths that do not fit. */
    PROGRAM_STREAM_MAP,
    /** PES header inconsistent with its length, or with forbidden flags. */
    PES_HEADER,
    /** PTS or DTS with a bad marker bit (the PES is skipped). */
    TIMESTAMP,
    /** Access unit (or audio PES) over the size cap: dropped. */
    ACCESS_UNIT_TOO_LARGE,
    /** Video access unit without any NAL unit, or with a NAL unit whose forbidden bit is set: dropped. */
    CORRUPT_ACCESS_UNIT,
    /** No program stream map entry and probing the payload found no known codec: dropped. */
    UNKNOWN_CODEC,
    /** A stream type the program stream map declares that is not supported (SVAC, G.722, ...): PES skipped. */
    UNSUPPORTED_STREAM,
    /** AAC data without a valid ADTS header: bytes skipped up to the next sync word (once per stretch). */
    AUDIO_FRAME,
    /** The input had a gap (lost RTP packets): the access unit and audio frame in progress were dropped. */
    DISCONTINUITY,
    /** The stream ended inside a PES packet: the incomplete access unit was dropped. */
    TRUNCATED
}
