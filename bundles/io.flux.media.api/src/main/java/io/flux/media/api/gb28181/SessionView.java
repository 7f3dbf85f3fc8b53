package io.flux.media.api.gb28181;

import java.time.Instant;

/**
 * A live session: the answer to an invite and an entry of {@code GET /gb28181/sessions}.
 *
 * @param ssrc         the 10-digit SSRC of the {@code y=} line
 * @param transport    {@code udp}, {@code tcp_passive} or {@code tcp_active}
 * @param media_port   the platform's port (UDP and TCP passive) or the device's port (TCP active)
 * @param state        {@code waiting_media} (accepted, no media yet), {@code streaming}, {@code ended}
 * @param end_reason   why it ended: {@code bye_api}, {@code bye_device}, {@code no_rtp} (no packets at all),
 *                     {@code wrong_ssrc} (packets came with another SSRC), {@code tcp_not_connected},
 *                     {@code media_timeout} (media stopped), {@code tcp_closed}, {@code tcp_framing},
 *                     {@code device_offline}, {@code shutdown}; null while live
 * @param end_detail   a sentence explaining {@code end_reason} (what arrived, from where)
 * @param existing     true when an invite returned a session that was already playing
 */
public record SessionView(String stream_id, String call_id, String device_id, String channel_id, String ssrc,
        String transport, int media_port, String state, Instant started_at, Instant first_packet_at,
        Instant ended_at, String end_reason, String end_detail, long rtp_packets, long rtp_bytes, long rtp_lost,
        long wrong_ssrc_packets, long samples, boolean existing) {

    /** The same session flagged as returned for a repeated invite. */
    public SessionView asExisting() {
        return new SessionView(stream_id, call_id, device_id, channel_id, ssrc, transport, media_port, state,
                started_at, first_packet_at, ended_at, end_reason, end_detail, rtp_packets, rtp_bytes, rtp_lost,
                wrong_ssrc_packets, samples, true);
    }
}
