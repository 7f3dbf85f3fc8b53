package io.flux.media.sources.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import io.flux.media.api.rest.ApiException;

/** Turns a {@link SourceRequest} into the row to store, or a 400 naming every bad field. */
final class SourceRules {

    static final int MAX_NAME = 255;
    static final int MAX_URL = 2048;

    private SourceRules() {
    }

    /** The row a create request describes, with a fresh id and path name. */
    static SourceRow forCreate(SourceRequest r, Instant now) {
        if (r == null) {
            throw ApiException.badRequest("a JSON body {name, type, url, protocol, enabled, record_enabled} is "
                    + "required");
        }
        Problems p = new Problems();
        String name = name(r.name(), true, p);
        String type = null;
        if (r.type() == null) {
            p.add("type", "is required (pull or push)");
        } else if (!SourceRow.PULL.equals(r.type()) && !SourceRow.PUSH.equals(r.type())) {
            p.add("type", "must be pull or push");
        } else {
            type = r.type();
        }
        String url = null;
        String protocol = null;
        if (SourceRow.PULL.equals(type)) {
            if (r.url() == null || r.url().isBlank()) {
                p.add("url", "is required for pull sources");
                checkProtocolName(r.protocol(), p);
            } else {
                URI uri = parseUrl("url", r.url(), p);
                url = r.url();
                protocol = uri == null ? null : pullProtocol(uri, r.protocol(), null, p);
            }
        } else if (SourceRow.PUSH.equals(type)) {
            checkNoUrl(r.url(), p);
            protocol = pushProtocol(r.protocol(), Protocols.PUSH_DEFAULT, p);
        } else {
            checkProtocolName(r.protocol(), p);
        }
        p.throwIfAny();
        return new SourceRow(UUID.randomUUID().toString(), name, PathNames.generate(name), type, url, protocol,
                r.enabled() == null || r.enabled(), r.record_enabled() != null && r.record_enabled(), now, now);
    }

    /** The row after applying {@code r} to {@code current}; fields left out keep their value. */
    static SourceRow forUpdate(SourceRow current, SourceRequest r, Instant now) {
        if (r == null) {
            throw ApiException.badRequest("a JSON body with the fields to change is required");
        }
        Problems p = new Problems();
        String name = r.name() == null ? current.name() : name(r.name(), false, p);
        if (r.type() != null && !r.type().equals(current.type())) {
            p.add("type", "cannot be changed from " + current.type() + " (create a new source instead)");
        }
        String url = current.url();
        String protocol = current.protocol();
        // A client that sends back the URL it read (password masked) means "unchanged", not a new password "***".
        String requestedUrl = r.url() != null && current.url() != null && !r.url().equals(current.url())
                && r.url().equals(Urls.redact(current.url())) ? null : r.url();
        if (current.isPush()) {
            checkNoUrl(r.url(), p);
            protocol = pushProtocol(r.protocol(), current.protocol(), p);
        } else if (requestedUrl != null) {
            URI uri = parseUrl("url", requestedUrl, p);
            if (uri != null) {
                url = requestedUrl;
                // A new URL re-infers the protocol unless one is given; an http(s) URL that is no playlist keeps hls.
                protocol = pullProtocol(uri, r.protocol(), Protocols.HLS.equals(current.protocol())
                        ? Protocols.HLS : null, p);
            }
        } else if (r.protocol() != null) {
            protocol = pullProtocol(uri(current.url()), r.protocol(), null, p);
        }
        p.throwIfAny();
        return new SourceRow(current.id(), name, current.pathName(), current.type(), url, protocol,
                r.enabled() == null ? current.enabled() : r.enabled(),
                r.record_enabled() == null ? current.recordEnabled() : r.record_enabled(), current.createdAt(), now);
    }

    static String name(String value, boolean required, Problems p) {
        if (value == null) {
            if (required) {
                p.add("name", "is required");
            }
            return null;
        }
        String n = value.strip();
        if (n.isEmpty()) {
            p.add("name", "must not be blank");
        } else if (n.length() > MAX_NAME) {
            p.add("name", "is longer than " + MAX_NAME + " characters");
        } else if (n.chars().anyMatch(Character::isISOControl)) {
            p.add("name", "must not contain control characters");
        }
        return n;
    }

    private static URI parseUrl(String field, String value, Problems p) {
        if (value.length() > MAX_URL) {
            p.add(field, "is longer than " + MAX_URL + " characters");
            return null;
        }
        if (value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            p.add(field, "must not contain spaces or control characters");
            return null;
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            p.add(field, "is not a valid URL (" + e.getReason() + ")");
            return null;
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
            p.add(field, "must be an absolute URL with a host, e.g. rtsp://camera.local:554/stream");
            return null;
        }
        if (Protocols.classify(uri) == Protocols.Scheme.UNSUPPORTED) {
            p.add(field, "has the unsupported scheme '" + uri.getScheme() + "' (use rtsp, rtsps, rtmp, rtmps, srt, "
                    + "whep, wheps, or http(s) to an HLS playlist)");
            return null;
        }
        return uri;
    }

    private static URI uri(String stored) {
        return URI.create(stored);
    }

    /**
     * The protocol of a pull source: {@code given} when it agrees with the URL scheme, else the inferred one;
     * {@code httpFallback} is used for an http(s) URL that is not a playlist when nothing is given.
     */
    private static String pullProtocol(URI uri, String given, String httpFallback, Problems p) {
        String inferred = Protocols.infer(uri);
        if (given != null) {
            String g = given.toLowerCase(Locale.ROOT);
            if (!Protocols.ALL.contains(g)) {
                p.add("protocol", "must be one of hls, rtmp, rtsp, srt, webrtc");
                return null;
            }
            if (inferred != null && !inferred.equals(g)) {
                p.add("protocol", "is " + g + " but the URL scheme '" + uri.getScheme() + "' means " + inferred);
                return null;
            }
            if (inferred == null && !Protocols.HLS.equals(g)) {
                p.add("protocol", "must be hls for an http(s) URL (MediaMTX pulls http(s) as HLS)");
                return null;
            }
            return g;
        }
        if (inferred == null) {
            if (httpFallback != null) {
                return httpFallback;
            }
            p.add("url", "http(s) URLs must point to an HLS playlist (.m3u8), or give protocol hls");
            return null;
        }
        return inferred;
    }

    private static String pushProtocol(String given, String fallback, Problems p) {
        if (given == null) {
            return fallback;
        }
        String g = given.toLowerCase(Locale.ROOT);
        if (!Protocols.PUSH.contains(g)) {
            p.add("protocol", Protocols.ALL.contains(g) ? "cannot be " + g + " for a push source (publish with rtmp, "
                    + "rtsp, srt or webrtc)" : "must be one of rtmp, rtsp, srt, webrtc for a push source");
            return null;
        }
        return g;
    }

    private static void checkNoUrl(String url, Problems p) {
        if (url != null) {
            p.add("url", "must be left out for push sources (they publish to push_url)");
        }
    }

    private static void checkProtocolName(String given, Problems p) {
        if (given != null && !Protocols.ALL.contains(given.toLowerCase(Locale.ROOT))) {
            p.add("protocol", "must be one of hls, rtmp, rtsp, srt, webrtc");
        }
    }
}
