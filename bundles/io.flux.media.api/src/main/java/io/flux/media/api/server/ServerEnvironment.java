package io.flux.media.api.server;

import java.nio.file.Path;
import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running server's environment, fixed for the life of the process (data directory and HTTP port
 * are restart-only settings).
 */
@ProviderType
public interface ServerEnvironment {

    /** Absolute directory under which bundles keep their state (database, generated secrets, ...). */
    Path dataDirectory();

    int httpPort();

    String version();

    Instant startedAt();
}
