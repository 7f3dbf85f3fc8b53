package io.flux.media.config.internal;

/** What the REST resource needs from the policy component (a service private to this bundle). */
interface ConfigPolicy {

    /** A fresh read of the hot-field declarations. */
    Declarations declarations();

    /** Effective and pending values per PID. */
    RestartGuard guard();
}
