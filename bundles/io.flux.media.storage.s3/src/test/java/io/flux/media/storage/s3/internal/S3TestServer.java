package io.flux.media.storage.s3.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.flux.media.testing.Configs;

/**
 * The S3 server the integration tests talk to, named by the variables {@code scripts/s3proxy.sh env} prints.
 * Without them a test is skipped, or fails when {@code CI} is set.
 */
record S3TestServer(String endpoint, String accessKey, String secretKey, String bucket, String jar) {

    static final String ENDPOINT = "FLUX_TEST_S3_ENDPOINT";

    static S3TestServer fromEnvironment() {
        String endpoint = System.getenv(ENDPOINT);
        if (endpoint == null || endpoint.isBlank()) {
            String how = ENDPOINT + " is not set; run scripts/s3proxy.sh start and eval \"$(scripts/s3proxy.sh env)\"";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the S3 tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
        return new S3TestServer(endpoint, System.getenv("FLUX_TEST_S3_ACCESS_KEY"),
                System.getenv("FLUX_TEST_S3_SECRET_KEY"), System.getenv("FLUX_TEST_S3_BUCKET"),
                System.getenv("FLUX_TEST_S3PROXY_JAR"));
    }

    /** A config for a fresh, unique prefix; {@code overrides} by method name. */
    S3StorageBackend.Config config(Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("endpoint", endpoint);
        m.put("bucket", bucket);
        m.put("access_key", accessKey);
        m.put("_secret_key", secretKey);
        m.put("prefix", "test-" + UUID.randomUUID());
        m.put("max_retries", 2);
        m.putAll(overrides);
        return Configs.of(S3StorageBackend.Config.class, m);
    }

    /** A backend with short retry delays, so failing tests fail fast. */
    S3StorageBackend backend(Map<String, Object> overrides) {
        return new S3StorageBackend(config(overrides), Duration.ofMillis(10), Duration.ofMillis(200));
    }
}
