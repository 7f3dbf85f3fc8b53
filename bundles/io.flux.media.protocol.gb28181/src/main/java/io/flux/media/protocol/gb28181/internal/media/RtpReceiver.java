package io.flux.media.protocol.gb28181.internal.media;

import java.net.InetSocketAddress;

/**
 * One session's RTP receiver: socket(s), the {@code GbMediaPipeline}, and the stream opened on the media core.
 * Prepared before the INVITE, started when the device accepted it, closed by BYE or by itself (timeouts).
 */
public interface RtpReceiver {

    /** The platform's port for the SDP offer (UDP and TCP passive); 0 for TCP active. */
    int localPort();

    /**
     * Replaces the SSRC of the spec before {@link #start}: some devices answer the INVITE with their own
     * {@code y=} and send that.
     */
    void expectSsrc(long ssrc);

    /**
     * Starts receiving. {@code deviceMedia} is the device's address from its SDP answer: required for TCP active
     * (the platform connects there), informative otherwise. {@code onEnd} is called at most once, when the
     * receiver ends on its own (never for {@link #close}).
     */
    void start(InetSocketAddress deviceMedia, EndListener onEnd);

    /** Counters now; safe from any thread. */
    ReceiverStats stats();

    /** Stops receiving, releases the port and closes the stream on the media core. Idempotent. */
    void close();

    /** Why a receiver ended on its own. */
    @FunctionalInterface
    interface EndListener {

        /**
         * @param reason one of {@code no_rtp}, {@code wrong_ssrc}, {@code tcp_not_connected},
         *               {@code media_timeout}, {@code tcp_closed}, {@code tcp_framing}
         * @param detail a sentence for the API and logs: what arrived, from where, for how long
         */
        void ended(String reason, String detail);
    }
}
