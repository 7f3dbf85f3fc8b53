package io.flux.media.sources.internal;

import java.net.URI;
import java.net.URISyntaxException;

/** Keeps camera passwords out of answers and logs. */
final class Urls {

    static final String MASK = "***";

    private Urls() {
    }

    /** {@code rtsp://user:secret@host/x} as {@code rtsp://user:***@host/x}; anything else unchanged. */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI u = new URI(url);
            String info = u.getRawUserInfo();
            if (info == null || !info.contains(":")) {
                return url;
            }
            String masked = info.substring(0, info.indexOf(':') + 1) + MASK;
            int at = url.indexOf(info + "@");
            return at < 0 ? url : url.substring(0, at) + masked + url.substring(at + info.length());
        } catch (URISyntaxException e) {
            return url;
        }
    }
}
