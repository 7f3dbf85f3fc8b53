package io.flux.media.server.internal;

import java.util.Locale;
import java.util.Optional;

/** The levels an operator may set; OFF and ALL are left out on purpose (silencing the root hides failures). */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /** The level named by {@code text} (any case, surrounding blanks ignored), or empty. */
    static Optional<LogLevel> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
