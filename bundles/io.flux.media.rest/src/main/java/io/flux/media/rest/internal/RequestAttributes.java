package io.flux.media.rest.internal;

/** Request properties the filters hand each other. */
final class RequestAttributes {

    /** The {@link io.flux.media.api.security.Role} the request's token grants, absent when none. */
    static final String ROLE = "flux.role";
    /** {@link System#nanoTime()} when the request entered the application. */
    static final String START_NANOS = "flux.start";

    private RequestAttributes() {
    }
}
