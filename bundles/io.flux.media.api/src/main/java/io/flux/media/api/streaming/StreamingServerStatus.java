package io.flux.media.api.streaming;

/** Reachability of the streaming server's control API. */
public record StreamingServerStatus(boolean reachable, String version, String message) {
}
