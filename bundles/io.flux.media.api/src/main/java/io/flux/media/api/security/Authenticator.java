package io.flux.media.api.security;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Checks bearer tokens against the configured admin and viewer tokens, in constant time. With no
 * token configured for a role nobody has that role: deny by default.
 */
@ProviderType
public interface Authenticator {

    /** The role a presented token grants, or empty when it grants nothing. */
    Optional<Role> authenticate(String token);

    /** The role an {@code Authorization} header value ({@code Bearer ...}) grants, or empty. */
    default Optional<Role> authenticateHeader(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String prefix = "Bearer ";
        if (authorization.length() <= prefix.length()
                || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.empty();
        }
        return authenticate(authorization.substring(prefix.length()).trim());
    }

    /** Whether any token is configured at all (health reports it; the API stays closed either way). */
    boolean isConfigured();
}
