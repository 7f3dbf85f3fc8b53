package io.flux.media.api.streaming;

/**
 * The fields of a path configuration Flux uses; null means "not set" (a patch leaves it alone, an add takes the
 * server's default).
 *
 * @param source           {@code publisher} (clients push), or a URL the server pulls ({@code rtsp://...})
 * @param sourceOnDemand   pull only while someone reads
 * @param record           whether the server records the path
 * @param recordPath       where, with the server's placeholders ({@code %path}, {@code %Y}, ...)
 * @param recordFormat     {@code fmp4} or {@code mpegts}
 * @param recordSegmentDuration e.g. {@code 1h}, {@code 60s}
 * @param recordDeleteAfter e.g. {@code 1d}; {@code 0s} keeps forever
 */
public record PathConfig(String name, String source, Boolean sourceOnDemand, Boolean record, String recordPath,
        String recordFormat, String recordSegmentDuration, String recordDeleteAfter) {

    /** A path that clients publish to. */
    public static PathConfig publisher() {
        return new PathConfig(null, "publisher", null, null, null, null, null, null);
    }

    /** A path the server pulls from {@code url}. */
    public static PathConfig pull(String url) {
        return new PathConfig(null, url, null, null, null, null, null, null);
    }
}
