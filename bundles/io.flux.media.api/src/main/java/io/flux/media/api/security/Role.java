package io.flux.media.api.security;

/** What a credential may do. */
public enum Role {
    /** Read-only: GET requests and metrics. */
    VIEWER,
    /** Everything, including runtime management and the Web Console. */
    ADMIN;

    public boolean covers(Role required) {
        return this.ordinal() >= required.ordinal();
    }
}
