package io.flux.media.api.ingest;

import java.util.Set;

import io.flux.media.api.stream.StreamId;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol bundle (GB28181, RTSP pull, file replay, ...) registers one of these. The platform lists
 * handlers, their protocols and the streams they currently feed into the {@link MediaSink}.
 */
@ConsumerType
public interface ProtocolHandler {

    /** Service property naming the protocol; also the first segment of its stream ids. */
    String PROTOCOL = "flux.protocol";

    /** The protocol name, equal to the first segment of every {@link StreamId} this handler feeds. */
    String protocol();

    /** Streams this handler is feeding right now. */
    Set<StreamId> activeStreams();
}
