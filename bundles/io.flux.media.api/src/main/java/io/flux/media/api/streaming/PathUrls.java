package io.flux.media.api.streaming;

/**
 * Client URLs of a path; an address that is not configured gives null.
 *
 * @param hls    {@code {hls_address}/{path}/index.m3u8}
 * @param webrtc the WHEP endpoint {@code {webrtc_address}/{path}/whep}
 * @param push   where a push source publishes: {@code {rtmp_address}/{path}}
 */
public record PathUrls(String rtsp, String rtmp, String hls, String webrtc, String srt, String push) {
}
