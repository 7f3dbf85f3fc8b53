package io.flux.media.console.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets into the Felix Web Console only whoever presents the admin token: as a bearer token, or as the
 * password of HTTP Basic (any user name, so browsers can log in). The runtime sets
 * {@code felix.webconsole.security.providers=flux}, so the console refuses every request until this
 * provider is registered and never falls back to its stock admin/admin login.
 */
@Component(property = SecurityProvider.PROPERTY_ID + "=" + ConsoleSecurityProvider.ID)
public class ConsoleSecurityProvider implements SecurityProvider {

    static final String ID = "flux";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurityProvider.class);

    private final Authenticator authenticator;

    @Activate
    public ConsoleSecurityProvider(@Reference Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        Optional<Role> role = roleOf(request.getHeader("Authorization"));
        if (role.isPresent() && role.get() == Role.ADMIN) {
            return "admin";
        }
        if (role.isPresent()) {
            LOG.warn("Web Console refused a non-admin token from {}", request.getRemoteAddr());
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"Flux Web Console (password: admin token)\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        return null;
    }

    Optional<Role> roleOf(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? Optional.empty() : authenticator.authenticate(decoded.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return authenticator.authenticateHeader(authorization);
    }

    @Override
    public boolean authorize(Object user, String role) {
        // Only the admin ever gets past authenticate().
        return "admin".equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Stateless: credentials come with every request, nothing to forget server side.
    }
}
