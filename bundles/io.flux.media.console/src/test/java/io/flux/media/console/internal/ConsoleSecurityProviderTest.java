package io.flux.media.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

class ConsoleSecurityProviderTest {

    private final Authenticator authenticator = new Authenticator() {
        @Override
        public Optional<Role> authenticate(String token) {
            return switch (token == null ? "" : token) {
                case "the-admin-token" -> Optional.of(Role.ADMIN);
                case "the-viewer-token" -> Optional.of(Role.VIEWER);
                default -> Optional.empty();
            };
        }

        @Override
        public boolean isConfigured() {
            return true;
        }
    };

    private final ConsoleSecurityProvider provider = new ConsoleSecurityProvider(authenticator);

    private Object login(String header) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        HttpServletResponse response = mock(HttpServletResponse.class);
        when(request.getHeader("Authorization")).thenReturn(header);
        Object user = provider.authenticate(request, response);
        if (user == null) {
            verify(response).setStatus(401);
        }
        return user;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void adminTokenAsBasicPasswordOrBearerLogsIn() {
        assertThat(login(basic("anyone", "the-admin-token"))).isEqualTo("admin");
        assertThat(login("Bearer the-admin-token")).isEqualTo("admin");
    }

    @Test
    void stockLoginViewerTokenAndGarbageAreRefused() {
        assertThat(login(basic("admin", "admin"))).isNull();
        assertThat(login(basic("admin", "the-viewer-token"))).isNull();
        assertThat(login("Basic !!!not-base64")).isNull();
        assertThat(login(null)).isNull();
        assertThat(login("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes()))).isNull();
    }
}
