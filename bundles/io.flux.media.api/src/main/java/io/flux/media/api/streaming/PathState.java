package io.flux.media.api.streaming;

import java.time.Instant;
import java.util.List;

/**
 * A path at runtime.
 *
 * @param online      a source is publishing or being pulled and its tracks are known ({@code online}, formerly
 *                    {@code ready})
 * @param source_type e.g. {@code rtspSession}, {@code rtmpConn}, {@code rtspSource}; null when there is none
 * @param tracks      codec names of the tracks, e.g. {@code H264}
 */
public record PathState(String name, boolean online, Instant online_time, String source_type, List<String> tracks,
        long bytes_received, long bytes_sent, int readers) {
}
