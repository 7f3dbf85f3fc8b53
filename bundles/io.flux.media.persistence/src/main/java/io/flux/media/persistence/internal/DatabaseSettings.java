package io.flux.media.persistence.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import io.flux.media.api.persistence.Database.Dialect;

/**
 * The resolved connection settings. The password never appears in {@link #toString()}, in
 * {@link #redactedUrl()} or in a message passed through {@link #redact(String)}.
 */
record DatabaseSettings(Dialect dialect, String url, String user, String password, int poolSize,
        Duration connectTimeout) {

    static final String H2_DRIVER = "org.h2.Driver";
    static final String POSTGRESQL_DRIVER = "org.postgresql.Driver";

    /** Hikari refuses connection timeouts below 250 ms. */
    static final long MIN_CONNECT_TIMEOUT_MS = 250;
    static final int MAX_POOL_SIZE = 200;

    /*
     * AUTO_SERVER off: the embedded database belongs to this process alone. DB_CLOSE_ON_EXIT off: the
     * pool closes it on deactivation, after the bundles that use it have stopped, not H2's shutdown
     * hook. LOCK_TIMEOUT: writers wait up to 10 s for a row lock instead of H2's 1 s.
     */
    static final String H2_FILE_OPTIONS = ";AUTO_SERVER=FALSE;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";

    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)([;?&][^=;&?]*(?:password|pwd)[^=;&?]*=)[^;&]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:;?]*):[^/@;?]*@");

    DatabaseSettings {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(url, "url");
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /**
     * Resolves a configuration: an empty URL means the embedded H2 file database {@code <dataDirectory>/db/flux}.
     *
     * @throws IllegalArgumentException when the configuration cannot work (the message is safe to log)
     */
    static DatabaseSettings resolve(Dialect dialect, String url, String user, String password, int poolSize,
            long connectTimeoutMs, Path dataDirectory) {
        Dialect d = dialect == null ? Dialect.H2 : dialect;
        String u = url == null ? "" : url.strip();
        if (u.isEmpty()) {
            if (d != Dialect.H2) {
                throw new IllegalArgumentException("url is required when dialect is " + d
                        + " (for example jdbc:postgresql://localhost:5432/flux)");
            }
            u = defaultH2Url(dataDirectory);
        }
        String prefix = d == Dialect.H2 ? "jdbc:h2:" : "jdbc:postgresql:";
        if (!u.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("url " + redactUrl(u) + " does not match dialect " + d
                    + " (expected it to start with " + prefix + ")");
        }
        int pool = Math.clamp(poolSize, 1, MAX_POOL_SIZE);
        long timeout = Math.max(MIN_CONNECT_TIMEOUT_MS, connectTimeoutMs);
        return new DatabaseSettings(d, u, user, password, pool, Duration.ofMillis(timeout));
    }

    static String defaultH2Url(Path dataDirectory) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Path file = dataDirectory.toAbsolutePath().normalize().resolve("db").resolve("flux");
        String path = file.toString().replace('\\', '/');
        if (path.indexOf(';') >= 0) {
            // H2 reads ';' as the start of a setting; such a path would silently name another file.
            throw new IllegalArgumentException("the data directory " + dataDirectory
                    + " contains ';', which H2 URLs cannot express; set url explicitly");
        }
        return "jdbc:h2:file:" + path + H2_FILE_OPTIONS;
    }

    /** The driver class the {@code osgi.jdbc.driver.class} property of the matching DataSourceFactory names. */
    String driverClass() {
        return driverClass(dialect);
    }

    static String driverClass(Dialect dialect) {
        return switch (dialect) {
            case H2 -> H2_DRIVER;
            case POSTGRESQL -> POSTGRESQL_DRIVER;
        };
    }

    String redactedUrl() {
        return redactUrl(url);
    }

    /** The URL with password parameters ({@code ;PASSWORD=}, {@code ?password=}) and user-info passwords masked. */
    static String redactUrl(String url) {
        String s = PASSWORD_PARAMETER.matcher(url).replaceAll("$1****");
        return USER_INFO.matcher(s).replaceAll("$1:****@");
    }

    /** Masks the password wherever a driver message happens to echo it. */
    String redact(String message) {
        if (message == null) {
            return "";
        }
        String s = password.isEmpty() ? message : message.replace(password, "****");
        return s.replace(url, redactedUrl());
    }

    @Override
    public String toString() {
        return "DatabaseSettings[dialect=" + dialect + ", url=" + redactedUrl() + ", user=" + user
                + ", password=" + (password.isEmpty() ? "(none)" : "****") + ", poolSize=" + poolSize
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms]";
    }
}
