package io.flux.media.publish.rtsp.internal;

import io.flux.media.api.stream.StreamId;

/**
 * The streaming-server path a stream is published on. MediaMTX accepts {@code [0-9a-zA-Z_-/.]}, no leading or
 * trailing {@code /}, no empty, {@code .} or {@code ..} segment; a valid stream id such as
 * {@code gb28181/{device}/{channel}} already is such a name and is used as is, anything else is made to fit.
 */
final class PathNames {

    private PathNames() {
    }

    static String of(StreamId id) {
        StringBuilder out = new StringBuilder();
        for (String segment : id.value().split("/")) {
            StringBuilder s = new StringBuilder(segment.length());
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                boolean allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || c == '_' || c == '-' || c == '.';
                s.append(allowed ? c : '_');
            }
            String cleaned = s.toString();
            if (cleaned.isEmpty()) {
                continue;
            }
            if (cleaned.equals(".") || cleaned.equals("..")) {
                cleaned = cleaned.replace('.', '_');
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(cleaned);
        }
        return out.isEmpty() ? "stream" : out.toString();
    }
}
