package io.flux.media.protocol.gb28181.internal.media;

import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.stream.StreamId;

/**
 * One session's media: how it arrives, the SSRC it must carry (the number of the SDP {@code y=} line), the
 * stream it feeds, and the ids its log lines carry.
 */
public record ReceiverSpec(Transport transport, long ssrc, StreamId streamId, String deviceId, String channelId,
        String callId) {
}
