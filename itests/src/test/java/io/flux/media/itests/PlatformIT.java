package io.flux.media.itests;

import static io.flux.media.itests.FluxRuntime.ADMIN_TOKEN;
import static io.flux.media.itests.FluxRuntime.VIEWER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.api.health.InfoContributor;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** The platform as a user meets it: one booted runtime, driven over HTTP and checked in the registry. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Inject
    BundleContext context;

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    ConfigurationAdmin configAdmin;

    private final Http http = new Http();

    @Configuration
    public Option[] config() {
        return FluxRuntime.options();
    }

    private Http.Reply awaitHealth() {
        return Await.value("GET /api/v1/health answers 200", STARTUP, () -> http.get("/api/v1/health", null),
                r -> r.status() == 200);
    }

    @Test
    public void everyComponentIsActive() {
        awaitHealth();
        Await.until(() -> "all components active: " + notActive(), STARTUP, () -> notActive().isEmpty());
        // The health report agrees.
        JsonNode health = http.get("/api/v1/health", null).json();
        assertThat(health.path("live").asBoolean()).isTrue();
        assertThat(health.path("checks").findValues("name").stream().map(JsonNode::asText))
                .contains("components", "database");
    }

    private List<String> notActive() {
        List<String> bad = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.defaultEnabled) {
                continue;
            }
            var configs = scr.getComponentConfigurationDTOs(d);
            boolean requiresConfig = "require".equals(d.configurationPolicy);
            if (configs.isEmpty() && !requiresConfig) {
                bad.add(d.name + " (no configuration)");
            }
            for (ComponentConfigurationDTO c : configs) {
                if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                    bad.add(d.name + " (state " + c.state + (c.failure == null ? "" : ", " + c.failure) + ")");
                }
            }
        }
        return bad;
    }

    @Test
    public void healthNeedsNoTokenButEverythingElseDoes() {
        awaitHealth();
        assertThat(http.get("/api/v1/health", null).status()).isEqualTo(200);
        Http.Reply anonymous = http.get("/api/v1/info", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCode()).isEqualTo("unauthorized");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(http.get("/api/v1/info", "wrong-token").status()).isEqualTo(401);
        // Unknown routes do not reveal themselves to anonymous callers.
        assertThat(http.get("/api/v1/no-such-thing", null).status()).isEqualTo(401);

        Http.Reply info = http.get("/api/v1/info", ADMIN_TOKEN);
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json().path("version").asText()).isNotEmpty();
        assertThat(info.json().has("uptime_seconds")).isTrue();
        assertThat(info.json().path("database").path("dialect").asText()).isEqualTo("H2");
        Await.value("installed features listed in info", STARTUP,
                () -> http.get("/api/v1/info", ADMIN_TOKEN).json().path("features").toString(),
                f -> f.contains("core") && f.contains("console"));
    }

    @Test
    public void viewerMayReadButNotChange() {
        awaitHealth();
        assertThat(http.get("/api/v1/info", VIEWER_TOKEN).status()).isEqualTo(200);
        Http.Reply post = http.bytes("POST", "/api/v1/bundles", VIEWER_TOKEN, TestBundles.tiny("1.0.0"),
                "application/java-archive");
        assertThat(post.status()).isEqualTo(403);
        assertThat(post.errorCode()).isEqualTo("forbidden");
        assertThat(bundle(TestBundles.TINY_BSN)).isNull();
        // Runtime management is admin only, even for GET.
        assertThat(http.get("/api/v1/bundles", VIEWER_TOKEN).status()).isEqualTo(403);
    }

    @Test
    public void errorsHaveOneShape() {
        awaitHealth();
        Http.Reply missing = http.get("/api/v1/no-such-thing", ADMIN_TOKEN);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("status").asInt()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("not_found");
        assertThat(missing.json().path("error").path("message").asText()).contains("no-such-thing");

        Http.Reply badJson = http.json("PATCH", "/api/v1/config/io.flux.media.rest", ADMIN_TOKEN, "{\"request.max.bytes\": ");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.errorCode()).isEqualTo("invalid_json");
    }

    @Test
    public void consoleRefusesTheStockLoginAndAcceptsTheAdminToken() {
        awaitHealth();
        Http.Reply withToken = Await.value("console answers with the admin token", STARTUP,
                () -> http.basic("/system/console/bundles", "admin", ADMIN_TOKEN), r -> r.status() == 200);
        assertThat(withToken.body()).contains("Bundles");
        assertThat(http.basic("/system/console/bundles", "admin", "admin").status()).isIn(401, 403);
        assertThat(http.get("/system/console/bundles", null).status()).isIn(401, 403);
        assertThat(http.basic("/system/console/bundles", "admin", VIEWER_TOKEN).status()).isIn(401, 403);
    }

    @Test
    public void bundleInstalledThroughTheApiRegistersItsServiceAndGoesAwayAgain() throws Exception {
        awaitHealth();
        Http.Reply installed = http.bytes("POST", "/api/v1/bundles", ADMIN_TOKEN, TestBundles.tiny("1.0.0"),
                "application/java-archive");
        assertThat(installed.status()).as(installed.toString()).isEqualTo(201);
        long id = installed.json().path("id").asLong();
        assertThat(installed.json().path("symbolic_name").asText()).isEqualTo(TestBundles.TINY_BSN);

        Await.until("tiny service registered", STARTUP, () -> tinyServices() == 1);
        Http.Reply info = http.get("/api/v1/info", ADMIN_TOKEN);
        assertThat(info.json().path("tiny").asText()).isEqualTo("installed at runtime");

        Http.Reply stopped = http.send("POST", "/api/v1/bundles/" + id + "/stop", ADMIN_TOKEN, null, null);
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(tinyServices()).isZero();
        assertThat(http.get("/api/v1/info", ADMIN_TOKEN).json().has("tiny")).isFalse();

        Http.Reply started = http.send("POST", "/api/v1/bundles/" + id + "/start", ADMIN_TOKEN, null, null);
        assertThat(started.status()).isEqualTo(200);
        Await.until("tiny service back", STARTUP, () -> tinyServices() == 1);

        Http.Reply deleted = http.send("DELETE", "/api/v1/bundles/" + id, ADMIN_TOKEN, null, null);
        assertThat(deleted.status()).isIn(200, 204);
        assertThat(context.getBundle(id)).isNull();
        assertThat(tinyServices()).isZero();
        assertThat(http.get("/api/v1/bundles/" + id, ADMIN_TOKEN).status()).isEqualTo(404);
    }

    @Test
    public void badJarAnswers400AndLeavesNothingBehind() {
        awaitHealth();
        int before = context.getBundles().length;
        Http.Reply notAJar = http.bytes("POST", "/api/v1/bundles", ADMIN_TOKEN, "this is not a jar".getBytes(),
                "application/java-archive");
        assertThat(notAJar.status()).isEqualTo(400);
        assertThat(notAJar.errorCode()).isNotEmpty();

        byte[] plainJar = TestBundles.jar(new java.util.jar.Manifest(), "a.txt", "x".getBytes());
        Http.Reply noBundle = http.bytes("POST", "/api/v1/bundles", ADMIN_TOKEN, plainJar, "application/java-archive");
        assertThat(noBundle.status()).isEqualTo(400);
        assertThat(noBundle.json().path("error").path("message").asText()).containsIgnoringCase("Bundle-SymbolicName");

        Http.Reply unresolvable = http.bytes("POST", "/api/v1/bundles", ADMIN_TOKEN, TestBundles.unresolvable(),
                "application/java-archive");
        assertThat(unresolvable.status()).isEqualTo(409);
        assertThat(unresolvable.body()).contains("com.example.nowhere");
        assertThat(context.getBundles()).hasSize(before);
        assertThat(bundle("io.flux.media.itests.unresolvable")).isNull();
    }

    @Test
    public void coreBundlesRefuseStopAndUninstall() {
        awaitHealth();
        Bundle rest = bundle("io.flux.media.rest");
        Http.Reply stop = http.send("POST", "/api/v1/bundles/" + rest.getBundleId() + "/stop", ADMIN_TOKEN, null, null);
        assertThat(stop.status()).isEqualTo(409);
        Http.Reply delete = http.send("DELETE", "/api/v1/bundles/0", ADMIN_TOKEN, null, null);
        assertThat(delete.status()).isEqualTo(409);
        assertThat(rest.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    public void deployFolderInstallsAndRemovesBundles() throws Exception {
        awaitHealth();
        Path jar = Path.of(System.getProperty("flux.itest.deploy")).resolve("tiny.jar");
        Files.write(jar, TestBundles.tiny("2.0.0"));
        Await.until("deployed bundle active with its service", STARTUP,
                () -> bundle(TestBundles.TINY_BSN) != null && bundle(TestBundles.TINY_BSN).getState() == Bundle.ACTIVE
                        && tinyServices() == 1);
        Files.delete(jar);
        Await.until("deployed bundle removed", STARTUP, () -> bundle(TestBundles.TINY_BSN) == null);
    }

    @Test
    public void restartOnlyFieldIsRefusedAndHotFieldAppliesLive() throws Exception {
        awaitHealth();
        String port = System.getProperty("flux.itest.port");
        Http.Reply refused = http.json("PATCH", "/api/v1/config/io.flux.media.server", ADMIN_TOKEN,
                "{\"http.port\": 1, \"log.level\": \"DEBUG\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.body()).contains("http.port");
        // Nothing changed, not even the hot field sent alongside.
        var stored = configAdmin.getConfiguration("io.flux.media.server", "?").getProperties();
        assertThat(String.valueOf(stored.get("http.port"))).isEqualTo(port);
        assertThat(stored.get("log.level")).isNotEqualTo("DEBUG");

        // Hot: a smaller request limit applies at once.
        Http.Reply patched = http.json("PATCH", "/api/v1/config/io.flux.media.rest", ADMIN_TOKEN,
                "{\"request.max.bytes\": 64}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        String big = "{\"request.max.bytes\": 1048576, \"padding\": \"" + "x".repeat(200) + "\"}";
        Http.Reply tooLarge = Await.value("limit applied", STARTUP,
                () -> http.json("PATCH", "/api/v1/config/io.flux.media.rest", ADMIN_TOKEN, big), r -> r.status() == 413);
        assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
        Http.Reply restored = http.json("PATCH", "/api/v1/config/io.flux.media.rest", ADMIN_TOKEN,
                "{\"request.max.bytes\": 1048576}");
        assertThat(restored.status()).isEqualTo(200);

        // A restart-only change arriving another way is held for restart and reported.
        var cfg = configAdmin.getConfiguration("io.flux.media.server", "?");
        Dictionary<String, Object> props = copy(cfg.getProperties());
        props.put("http.port", 1);
        cfg.update(props);
        JsonNode view = Await.value("pending_restart reported", STARTUP,
                () -> http.get("/api/v1/config/io.flux.media.server", ADMIN_TOKEN).json(),
                j -> j.path("pending_restart").has("http.port"));
        assertThat(view.path("effective").path("http.port").asText()).isEqualTo(port);
        // Still serving on the old port.
        assertThat(http.get("/api/v1/health", null).status()).isEqualTo(200);
        props.put("http.port", Integer.parseInt(port));
        cfg.update(props);
        Await.until("pending change withdrawn", STARTUP,
                () -> !http.get("/api/v1/config/io.flux.media.server", ADMIN_TOKEN).json().path("pending_restart").has("http.port"));
    }

    @Test
    public void metricsNeedATokenAndShowJvmHttpAndBundles() {
        awaitHealth();
        http.get("/api/v1/info", ADMIN_TOKEN);
        assertThat(http.get("/metrics", null).status()).isEqualTo(401);
        Http.Reply metrics = Await.value("metrics with HTTP series", STARTUP, () -> http.get("/metrics", VIEWER_TOKEN),
                r -> r.status() == 200 && r.body().contains("http_requests_total"));
        assertThat(metrics.body()).contains("jvm_memory", "osgi_bundles", "http_request_duration_seconds");
        assertThat(metrics.body()).contains("route=\"/info\"");
    }

    @Test
    public void consoleFeatureUninstallsAndInstallsAtRuntime() {
        awaitHealth();
        Await.value("console feature installed at boot", STARTUP, () -> feature("console"),
                f -> f.path("installed").asBoolean());
        Http.Reply uninstall = http.send("POST", "/api/v1/features/console/uninstall", ADMIN_TOKEN, null, null);
        assertThat(uninstall.status()).as(uninstall.toString()).isEqualTo(200);
        assertThat(bundle("org.apache.felix.webconsole")).isNull();
        Await.until("console gone", STARTUP, () -> http.basic("/system/console/bundles", "admin", ADMIN_TOKEN).status() == 404);

        Http.Reply install = http.send("POST", "/api/v1/features/console/install", ADMIN_TOKEN, null, null);
        assertThat(install.status()).as(install.toString()).isEqualTo(200);
        Await.value("console back", STARTUP, () -> http.basic("/system/console/bundles", "admin", ADMIN_TOKEN),
                r -> r.status() == 200);
        assertThat(http.send("POST", "/api/v1/features/core/uninstall", ADMIN_TOKEN, null, null).status()).isEqualTo(409);
        assertThat(http.send("POST", "/api/v1/features/nope/install", ADMIN_TOKEN, null, null).status()).isEqualTo(404);
    }

    private JsonNode feature(String name) {
        for (JsonNode f : http.get("/api/v1/features", ADMIN_TOKEN).json()) {
            if (name.equals(f.path("name").asText())) {
                return f;
            }
        }
        throw new AssertionError("feature " + name + " not listed");
    }

    private int tinyServices() {
        try {
            var refs = context.getServiceReferences(InfoContributor.class, "(flux.itest=tiny)");
            return refs.size();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> in) {
        Hashtable<String, Object> out = new Hashtable<>();
        for (var keys = in.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            out.put(k, in.get(k));
        }
        return out;
    }
}
