package io.flux.media.security.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;
import io.flux.media.api.server.ServerEnvironment;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens for the API, the metrics endpoint and the Web Console.
 * <p>
 * Only SHA-256 digests of the tokens are kept, and a presented token is hashed and compared with
 * {@link MessageDigest#isEqual}, so the comparison takes the same time whatever the token's length
 * or how much of it matches. The admin token comes from {@code FLUX_ADMIN_TOKEN}, else the
 * configuration, else the digest generated at first start.
 */
@Component(service = Authenticator.class, configurationPid = TokenAuthenticator.Config.PID)
@Designate(ocd = TokenAuthenticator.Config.class)
@HotUpdatable({ ".admin.token", ".viewer.token" })
public final class TokenAuthenticator implements Authenticator {

    @ObjectClassDefinition(name = "Flux authentication",
            description = "Bearer tokens for /api/v1, /metrics and the Web Console. With no token configured every "
                    + "protected endpoint answers 401.")
    public @interface Config {
        String PID = "io.flux.media.security";

        // Token keys start with '.' (leading '_'): DS keeps such properties off the service registration,
        // where the Web Console and every bundle could read them.

        @AttributeDefinition(name = "Admin token", type = AttributeType.PASSWORD,
                description = "Grants everything. The environment variable FLUX_ADMIN_TOKEN takes precedence. "
                        + "Hot-updatable.")
        String _admin_token() default "";

        @AttributeDefinition(name = "Viewer token", type = AttributeType.PASSWORD,
                description = "Grants read-only access (GET). FLUX_VIEWER_TOKEN takes precedence. Empty: no viewer "
                        + "access. Hot-updatable.")
        String _viewer_token() default "";

        @AttributeDefinition(name = "Generate admin token",
                description = "When no admin token is configured, generate one at first start, print it once on the "
                        + "console and keep only its digest under the data directory. Restart-only.")
        boolean generate_admin_token() default true;
    }

    static final String ADMIN_ENV = "FLUX_ADMIN_TOKEN";
    static final String VIEWER_ENV = "FLUX_VIEWER_TOKEN";
    /**
     * Framework properties a runtime sets to name its own token variables ({@code flux-gb28181d}: its node token in
     * {@code FLUX_GB28181D_TOKEN}, no viewer variable, nothing generated). Empty viewer name: no viewer variable.
     */
    static final String ADMIN_ENV_PROPERTY = "flux.security.admin.token.env";
    static final String VIEWER_ENV_PROPERTY = "flux.security.viewer.token.env";
    static final String GENERATE_PROPERTY = "flux.security.generate.admin.token";
    static final int MIN_RECOMMENDED_LENGTH = 16;
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final Function<String, String> environment;
    private final Path digestFile;
    private final String adminEnv;
    private final String viewerEnv;
    private final boolean generationAllowed;
    private volatile Digests digests;

    private record Digests(byte[] admin, byte[] viewer, String adminSource) {
    }

    @Activate
    public TokenAuthenticator(@Reference ServerEnvironment server, BundleContext context, Config config) {
        this(server.dataDirectory().resolve("secrets").resolve("admin.token.sha256"), System::getenv, config,
                property(context, ADMIN_ENV_PROPERTY, ADMIN_ENV), property(context, VIEWER_ENV_PROPERTY, VIEWER_ENV),
                !"false".equalsIgnoreCase(property(context, GENERATE_PROPERTY, "true")));
    }

    TokenAuthenticator(Path digestFile, Function<String, String> environment, Config config) {
        this(digestFile, environment, config, ADMIN_ENV, VIEWER_ENV, true);
    }

    TokenAuthenticator(Path digestFile, Function<String, String> environment, Config config, String adminEnv,
            String viewerEnv, boolean generationAllowed) {
        this.digestFile = digestFile;
        this.environment = environment;
        this.adminEnv = adminEnv;
        this.viewerEnv = viewerEnv;
        this.generationAllowed = generationAllowed;
        this.digests = load(config, true);
    }

    private static String property(BundleContext context, String key, String fallback) {
        String value = context.getProperty(key);
        return value == null ? fallback : value.strip();
    }

    @Modified
    void modified(Config config) {
        this.digests = load(config, false);
    }

    @Override
    public Optional<Role> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        Digests d = digests;
        byte[] presented = sha256(token);
        // Both comparisons always run so that timing does not reveal which token matched.
        boolean admin = d.admin != null & MessageDigest.isEqual(presented, d.admin == null ? EMPTY : d.admin);
        boolean viewer = d.viewer != null & MessageDigest.isEqual(presented, d.viewer == null ? EMPTY : d.viewer);
        if (admin) {
            return Optional.of(Role.ADMIN);
        }
        return viewer ? Optional.of(Role.VIEWER) : Optional.empty();
    }

    @Override
    public boolean isConfigured() {
        return digests.admin != null || digests.viewer != null;
    }

    private static final byte[] EMPTY = new byte[32];

    private Digests load(Config config, boolean activation) {
        byte[] admin;
        String source;
        String env = adminEnv.isEmpty() ? null : environment.apply(adminEnv);
        if (env != null && !env.isBlank()) {
            admin = digestOf(env.strip(), "admin token (" + adminEnv + ")");
            source = "environment";
        } else if (!config._admin_token().isBlank()) {
            admin = digestOf(config._admin_token().strip(), "admin token (configuration)");
            source = "configuration";
        } else if (config.generate_admin_token() && generationAllowed) {
            admin = generatedDigest(activation);
            source = admin == null ? "none" : "generated";
        } else {
            admin = null;
            source = "none";
        }
        String viewerValue = viewerEnv.isEmpty() ? null : environment.apply(viewerEnv);
        String viewerToken = viewerValue != null && !viewerValue.isBlank() ? viewerValue.strip()
                : config._viewer_token().strip();
        byte[] viewer = viewerToken.isEmpty() ? null : digestOf(viewerToken, "viewer token");
        if (admin == null) {
            LOG.warn("No admin token configured: every protected endpoint answers 401 (set {} or {} admin.token)",
                    adminEnv, Config.PID);
        } else {
            LOG.info("Authentication ready: admin token from {}, viewer token {}", source,
                    viewer == null ? "not configured" : "configured");
        }
        return new Digests(admin, viewer, source);
    }

    private static byte[] digestOf(String token, String what) {
        if (token.length() < MIN_RECOMMENDED_LENGTH) {
            LOG.warn("The {} is shorter than {} characters; use a long random value", what, MIN_RECOMMENDED_LENGTH);
        }
        return sha256(token);
    }

    /**
     * Reads the digest kept from an earlier start, or generates a token, prints it once and keeps only its
     * digest. Generation happens only at activation: a configuration change never mints a new token.
     */
    private byte[] generatedDigest(boolean activation) {
        try {
            if (Files.isRegularFile(digestFile)) {
                String hex = Files.readString(digestFile, StandardCharsets.US_ASCII).strip();
                return HexFormat.of().parseHex(hex);
            }
            if (!activation) {
                return null;
            }
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            byte[] digest = sha256(token);
            writeDigest(digest);
            // Printed on the console once, never logged: the log may be shipped elsewhere.
            System.out.println();
            System.out.println("================================================================================");
            System.out.println(" Flux generated an admin token. It is shown this once; only its digest is kept.");
            System.out.println();
            System.out.println("   " + token);
            System.out.println();
            System.out.println(" Use it as 'Authorization: Bearer <token>', and as the Web Console password.");
            System.out.println(" To replace it: set FLUX_ADMIN_TOKEN, or delete " + digestFile + " and restart.");
            System.out.println("================================================================================");
            System.out.println();
            return digest;
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("Cannot read or store the generated admin token digest at {}: {}", digestFile, e.toString());
            return null;
        }
    }

    private void writeDigest(byte[] digest) throws IOException {
        Files.createDirectories(digestFile.getParent());
        Path tmp = digestFile.resolveSibling(digestFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, HexFormat.of().formatHex(digest), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        Files.move(tmp, digestFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
