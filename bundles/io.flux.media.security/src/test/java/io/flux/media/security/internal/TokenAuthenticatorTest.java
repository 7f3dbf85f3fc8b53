package io.flux.media.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.flux.media.api.security.Role;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenAuthenticatorTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    static TokenAuthenticator.Config config(Map<String, Object> overrides) {
        return (TokenAuthenticator.Config) Proxy.newProxyInstance(TokenAuthenticator.Config.class.getClassLoader(),
                new Class<?>[] { TokenAuthenticator.Config.class },
                (proxy, method, args) -> overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                        : method.getDefaultValue());
    }

    private TokenAuthenticator authenticator(Map<String, Object> cfg) {
        return new TokenAuthenticator(dir.resolve("secrets/admin.token.sha256"), env::get, config(cfg));
    }

    @Test
    void environmentTokenGrantsAdminAndWinsOverConfiguration() {
        env.put("FLUX_ADMIN_TOKEN", "env-admin-token-0123456789");
        TokenAuthenticator auth = authenticator(Map.of("_admin_token", "config-admin-token-0123456789"));
        assertThat(auth.authenticate("env-admin-token-0123456789")).contains(Role.ADMIN);
        assertThat(auth.authenticate("config-admin-token-0123456789")).isEmpty();
        assertThat(auth.isConfigured()).isTrue();
    }

    @Test
    void viewerTokenGrantsViewerOnly() {
        TokenAuthenticator auth = authenticator(Map.of("_admin_token", "admin-token-0123456789abcdef",
                "_viewer_token", "viewer-token-0123456789abcdef"));
        assertThat(auth.authenticate("viewer-token-0123456789abcdef")).contains(Role.VIEWER);
        assertThat(auth.authenticate("admin-token-0123456789abcdef")).contains(Role.ADMIN);
        assertThat(auth.authenticate("admin-token-0123456789abcde")).isEmpty();
        assertThat(auth.authenticate("")).isEmpty();
        assertThat(auth.authenticate(null)).isEmpty();
    }

    @Test
    void bearerHeaderParsing() {
        TokenAuthenticator auth = authenticator(Map.of("_admin_token", "admin-token-0123456789abcdef"));
        assertThat(auth.authenticateHeader("Bearer admin-token-0123456789abcdef")).contains(Role.ADMIN);
        assertThat(auth.authenticateHeader("bearer admin-token-0123456789abcdef")).contains(Role.ADMIN);
        assertThat(auth.authenticateHeader("Basic YWRtaW46YWRtaW4=")).isEmpty();
        assertThat(auth.authenticateHeader("Bearer ")).isEmpty();
        assertThat(auth.authenticateHeader(null)).isEmpty();
    }

    @Test
    void withoutAnyTokenNothingIsGranted() {
        TokenAuthenticator auth = authenticator(Map.of("generate_admin_token", false));
        assertThat(auth.isConfigured()).isFalse();
        assertThat(auth.authenticate("admin")).isEmpty();
        assertThat(auth.authenticate("")).isEmpty();
    }

    @Test
    void generatedTokenIsPrintedOnceAndOnlyItsDigestIsKept() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String token;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            authenticator(Map.of());
            Matcher m = Pattern.compile("^ {3}([A-Za-z0-9_-]{43})$", Pattern.MULTILINE)
                    .matcher(out.toString(StandardCharsets.UTF_8));
            assertThat(m.find()).as("token printed").isTrue();
            token = m.group(1);
            out.reset();
            // Second start: same digest, nothing printed.
            TokenAuthenticator again = authenticator(Map.of());
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(token);
            assertThat(again.authenticate(token)).contains(Role.ADMIN);
        } finally {
            System.setOut(original);
        }
        String stored = Files.readString(dir.resolve("secrets/admin.token.sha256"));
        assertThat(stored).doesNotContain(token).hasSize(64);
        assertThat(Files.getPosixFilePermissions(dir.resolve("secrets/admin.token.sha256")).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void hotUpdateReplacesTokens() {
        TokenAuthenticator auth = authenticator(Map.of("_admin_token", "first-admin-token-0123456789"));
        auth.modified(config(Map.of("_admin_token", "second-admin-token-0123456789")));
        assertThat(auth.authenticate("first-admin-token-0123456789")).isEmpty();
        assertThat(auth.authenticate("second-admin-token-0123456789")).contains(Role.ADMIN);
    }

    @Test
    void aRuntimeCanNameItsOwnTokenVariableAndDenyByDefault() {
        Map<String, String> env = new HashMap<>(Map.of("FLUX_ADMIN_TOKEN", "gateway-admin-token-0123456789",
                "FLUX_VIEWER_TOKEN", "gateway-viewer-token-0123456789",
                "FLUX_GB28181D_TOKEN", "node-token-0123456789abcdef"));
        TokenAuthenticator node = new TokenAuthenticator(dir.resolve("n1/secrets/admin.token.sha256"), env::get,
                config(Map.of()), "FLUX_GB28181D_TOKEN", "", false);
        assertThat(node.authenticate("node-token-0123456789abcdef")).contains(Role.ADMIN);
        assertThat(node.authenticate("gateway-admin-token-0123456789")).isEmpty();
        assertThat(node.authenticate("gateway-viewer-token-0123456789")).isEmpty();

        env.remove("FLUX_GB28181D_TOKEN");
        TokenAuthenticator withoutToken = new TokenAuthenticator(dir.resolve("n2/secrets/admin.token.sha256"),
                env::get, config(Map.of()), "FLUX_GB28181D_TOKEN", "", false);
        assertThat(withoutToken.isConfigured()).as("no token: nothing generated, every call refused").isFalse();
        assertThat(Files.exists(dir.resolve("n2/secrets/admin.token.sha256"))).isFalse();
        assertThat(withoutToken.authenticate("gateway-admin-token-0123456789")).isEmpty();
    }
}
