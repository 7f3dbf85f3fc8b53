package io.flux.media.api.streaming;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The streaming server Flux delegates RTSP/RTMP/HLS/WebRTC/SRT delivery to (MediaMTX). Every stream
 * asset is one path on it. The adapter bundle implements this; stopping the bundle removes the service
 * and every endpoint that needs it answers 503.
 */
@ConsumerType
public interface StreamingServer {

    /** Service property naming the implementation ({@code mediamtx}). */
    String KIND = "flux.streaming.kind";

    /** Whether the server's control API answers, and its version or why not. */
    StreamingServerStatus status();
}
