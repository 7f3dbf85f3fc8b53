package io.flux.media.config.internal;

import static io.flux.media.config.internal.DeclarationsTest.component;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;

import io.flux.media.api.rest.ApiException;

class ConfigServiceTest {

    private static final String SERVER = "io.flux.media.server";
    private static final String SECURITY = "io.flux.media.security";

    private static final ConfigSchema SERVER_SCHEMA = ConfigSchema.of(
            FieldSpec.of("http.port", AttributeDefinition.INTEGER, 0, List.of(), List.of("8080")),
            FieldSpec.of("http.host", AttributeDefinition.STRING, 0, List.of(), List.of("0.0.0.0")),
            FieldSpec.of("data.dir", AttributeDefinition.STRING, 0, List.of(), List.of("data")),
            FieldSpec.of("log.level", AttributeDefinition.STRING, 0, List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
                    List.of("INFO")),
            FieldSpec.of("log.levels", AttributeDefinition.STRING, Integer.MAX_VALUE, List.of(), List.of("")));
    private static final ConfigSchema SECURITY_SCHEMA = ConfigSchema.of(
            FieldSpec.of("admin.token", AttributeDefinition.PASSWORD, 0, List.of(), List.of("")),
            FieldSpec.of("viewer.token", AttributeDefinition.PASSWORD, 0, List.of(), List.of("")));

    private final ConfigurationAdmin configAdmin = mock(ConfigurationAdmin.class);
    private final RestartGuard guard = new RestartGuard();
    private final Map<String, ConfigSchema> schemas = new HashMap<>(Map.of(SERVER, SERVER_SCHEMA, SECURITY,
            SECURITY_SCHEMA));
    private final Declarations declarations = Declarations.of(List.of(
            component("server", "optional", new String[] { "log.level", "log.levels" }, SERVER),
            component("security", "optional", new String[] { "admin.token", "viewer.token" }, SECURITY),
            component("storage", "require", new String[] { "enabled" }, "flux.storage"),
            component("jersey", "require", null, "JakartarsWhiteboardComponent")));
    private final ConfigService service = new ConfigService(configAdmin,
            (pid, factoryPid) -> Optional.ofNullable(schemas.getOrDefault(pid, schemas.get(factoryPid))),
            () -> declarations, guard, Set.of("org.apache.felix.http")::contains, Duration.ofSeconds(5));

    /** A stored configuration whose updates are delivered through the guard, as Config Admin + SCR would. */
    private Configuration stored(String pid, String factoryPid, Map<String, Object> properties) throws Exception {
        Configuration configuration = mock(Configuration.class);
        Hashtable<String, Object> current = new Hashtable<>(properties);
        current.put("service.pid", pid);
        when(configuration.getPid()).thenReturn(pid);
        when(configuration.getFactoryPid()).thenReturn(factoryPid);
        when(configuration.getProperties()).thenAnswer(i -> new Hashtable<>(current));
        doAnswer(invocation -> {
            Dictionary<String, Object> update = invocation.getArgument(0);
            current.clear();
            for (var keys = update.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                current.put(key, update.get(key));
            }
            current.put("service.pid", pid);
            Hashtable<String, Object> delivery = new Hashtable<>(current);
            guard.process(pid, delivery, declarations.managed(Declarations.policyPid(pid, factoryPid))
                    .map(Declarations.ManagedPid::hotFields).orElse(null));
            return true;
        }).when(configuration).updateIfDifferent(any());
        when(configAdmin.listConfigurations("(service.pid=" + pid + ")")).thenReturn(new Configuration[] { configuration });
        guard.seed(pid, properties);
        return configuration;
    }

    private static Map<String, Object> body(Object... keyValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            body.put((String) keyValues[i], keyValues[i + 1]);
        }
        return body;
    }

    @Test
    void viewShowsStoredEffectiveWithDefaultsAndPending() throws Exception {
        Configuration configuration = stored(SERVER, null, Map.of("http.port", 8080));
        // Someone else (Web Console, a file) writes: the port change is held back, the level applies.
        configuration.updateIfDifferent(new Hashtable<>(Map.of("http.port", 9090, "log.level", "DEBUG")));

        Map<String, Object> view = service.view(SERVER);

        assertThat(view).containsEntry("pid", SERVER).containsEntry("managed", true).doesNotContainKey("factory_pid");
        assertThat(view.get("hot_fields")).isEqualTo(List.of("log.level", "log.levels"));
        assertThat(view.get("restart_only_fields")).isEqualTo(List.of("data.dir", "http.host", "http.port"));
        assertThat(view.get("properties")).isEqualTo(Map.of("http.port", 9090, "log.level", "DEBUG"));
        @SuppressWarnings("unchecked")
        Map<String, Object> effective = (Map<String, Object>) view.get("effective");
        assertThat(effective).contains(entry("http.port", 8080), entry("log.level", "DEBUG"),
                entry("http.host", "0.0.0.0"), entry("data.dir", "data"), entry("log.levels", List.of()));
        assertThat(view.get("pending_restart")).isEqualTo(Map.of("http.port", Map.of("effective", 8080, "pending", 9090)));
    }

    @Test
    void unknownPidIsNotFound() throws Exception {
        assertThatThrownBy(() -> service.view("no.such.pid")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void pidWithoutConfigurationButWithMetatypeShowsDefaults() {
        Map<String, Object> view = service.view(SERVER);

        assertThat(view.get("properties")).isEqualTo(Map.of());
        assertThat(view.get("effective")).isEqualTo(Map.of("http.port", 8080, "http.host", "0.0.0.0", "data.dir", "data",
                "log.level", "INFO", "log.levels", List.of()));
    }

    @Test
    void passwordsAreAlwaysMasked() throws Exception {
        stored(SECURITY, null, Map.of("admin.token", "s3cret-admin"));
        guard.process(SECURITY, new Hashtable<>(Map.of("service.pid", SECURITY, "admin.token", "s3cret-admin",
                "viewer.token", "s3cret-viewer", "api.password", "x")), Set.of("admin.token"));
        schemas.remove(SECURITY); // without metatype, names that look secret are masked too

        Map<String, Object> withoutMetatype = service.view(SECURITY);
        schemas.put(SECURITY, SECURITY_SCHEMA);
        Map<String, Object> withMetatype = service.view(SECURITY);

        assertThat(withMetatype.toString()).doesNotContain("s3cret");
        assertThat(withoutMetatype.toString()).doesNotContain("s3cret");
        assertThat(withMetatype.get("properties")).isEqualTo(Map.of("admin.token", Values.MASK));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> pending = (Map<String, Map<String, Object>>) withMetatype.get("pending_restart");
        assertThat(pending.get("viewer.token")).isEqualTo(Map.of("effective", Values.MASK, "pending", Values.MASK));
        assertThat(pending.get("api.password")).containsEntry("effective", null).containsEntry("pending", Values.MASK);
    }

    @Test
    void patchOfAHotFieldMergesAndAnswersWithItApplied() throws Exception {
        Configuration configuration = stored(SERVER, null, Map.of("http.port", 8080, "log.level", "INFO"));

        Map<String, Object> view = service.patch(SERVER, body("log.level", "DEBUG", "http.port", 8080,
                "log.levels", List.of("io.flux=TRACE")));

        @SuppressWarnings("unchecked")
        ArgumentCaptor<Dictionary<String, Object>> written = ArgumentCaptor.forClass(Dictionary.class);
        verify(configuration).updateIfDifferent(written.capture());
        assertThat(written.getValue().get("log.level")).isEqualTo("DEBUG");
        assertThat(written.getValue().get("http.port")).isEqualTo(8080);
        assertThat(written.getValue().get("log.levels")).isEqualTo(new String[] { "io.flux=TRACE" });
        @SuppressWarnings("unchecked")
        Map<String, Object> effective = (Map<String, Object>) view.get("effective");
        assertThat(effective).contains(entry("log.level", "DEBUG"), entry("log.levels", List.of("io.flux=TRACE")));
        assertThat(view.get("pending_restart")).isEqualTo(Map.of());
    }

    @Test
    void patchTouchingARestartOnlyFieldIsRefusedAndChangesNothing() throws Exception {
        Configuration configuration = stored(SERVER, null, Map.of("http.port", 8080));

        assertThatThrownBy(() -> service.patch(SERVER, body("log.level", "DEBUG", "http.port", 9090,
                "data.dir", "/srv/flux", "http.host", "0.0.0.0")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.details()).containsEntry("restart_only_fields", List.of("data.dir", "http.port"));
                    assertThat(e.getMessage()).contains("data.dir, http.port");
                });

        verify(configuration, never()).updateIfDifferent(any());
        verify(configuration, never()).update(any());
        verify(configAdmin, never()).getConfiguration(anyString(), anyString());
    }

    @Test
    void restartOnlyFieldWithoutStoredValueComparesWithTheDefault() throws Exception {
        Configuration created = stored(SERVER, null, Map.of()); // the component runs on its defaults
        when(configAdmin.listConfigurations("(service.pid=" + SERVER + ")")).thenReturn(null);
        when(configAdmin.getConfiguration(SERVER, "?")).thenReturn(created);

        Map<String, Object> view = service.patch(SERVER, body("http.port", 8080, "log.level", "WARN"));

        // 8080 is the default, so it is no change; the configuration is created with both values.
        verify(created).updateIfDifferent(any());
        assertThat(view.get("effective")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("log.level", "WARN");

        assertThatThrownBy(() -> service.patch(SERVER, body("http.port", 8081)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void invalidBodiesNameEveryProblem() throws Exception {
        Configuration configuration = stored(SERVER, null, Map.of());

        assertThatThrownBy(() -> service.patch(SERVER, body("nope", 1, "also.nope", "x", "log.level", "LOUD",
                "http.port", "eighty", "service.pid", "other")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.details()).containsEntry("unknown_fields", List.of("nope", "also.nope"));
                    assertThat(e.details().get("invalid_fields")).isEqualTo(Map.of(
                            "log.level", "must be one of TRACE, DEBUG, INFO, WARN, ERROR",
                            "http.port", "must be a whole number",
                            "service.pid", "is maintained by Config Admin and cannot be set"));
                    assertThat(e.getMessage()).contains("nope", "also.nope", "log.level", "http.port");
                });
        verify(configuration, never()).updateIfDifferent(any());
    }

    @Test
    void maskedSecretSentBackKeepsTheStoredOne() throws Exception {
        Configuration configuration = stored(SECURITY, null, Map.of("admin.token", "s3cret", "viewer.token", "v"));

        service.patch(SECURITY, body("admin.token", Values.MASK, "viewer.token", "new-viewer"));

        @SuppressWarnings("unchecked")
        ArgumentCaptor<Dictionary<String, Object>> written = ArgumentCaptor.forClass(Dictionary.class);
        verify(configuration).updateIfDifferent(written.capture());
        assertThat(written.getValue().get("admin.token")).isEqualTo("s3cret");
        assertThat(written.getValue().get("viewer.token")).isEqualTo("new-viewer");
    }

    @Test
    void nullRemovesAHotField() throws Exception {
        Configuration configuration = stored(SERVER, null, Map.of("log.level", "DEBUG", "http.port", 8080));

        service.patch(SERVER, body("log.level", null));

        @SuppressWarnings("unchecked")
        ArgumentCaptor<Dictionary<String, Object>> written = ArgumentCaptor.forClass(Dictionary.class);
        verify(configuration).updateIfDifferent(written.capture());
        assertThat(written.getValue().get("log.level")).isNull();
        assertThat(written.getValue().get("http.port")).isEqualTo(8080);
    }

    @Test
    void unmanagedPidWithAComponentIsAllRestartOnly() throws Exception {
        stored("org.apache.felix.http", null, Map.of("org.osgi.service.http.port", 8080));

        assertThatThrownBy(() -> service.patch("org.apache.felix.http", body("org.osgi.service.http.port", 9090)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("every field is restart-only");
                });
        assertThatThrownBy(() -> service.patch("JakartarsWhiteboardComponent", body("jersey.port", 1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void pidWithoutAnyComponentIsNotFound() {
        assertThatThrownBy(() -> service.patch("nobody.uses.this", body("a", 1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void newFactoryInstanceMayBeCreatedWithAnyField() throws Exception {
        schemas.put("flux.storage", ConfigSchema.of(
                FieldSpec.of("root", AttributeDefinition.STRING, 0, List.of(), List.of("/var")),
                FieldSpec.of("enabled", AttributeDefinition.BOOLEAN, 0, List.of(), List.of("true"))));
        Configuration created = stored("flux.storage~nas", "flux.storage", Map.of());
        guard.forget("flux.storage~nas");
        when(configAdmin.listConfigurations("(service.pid=flux.storage~nas)")).thenReturn(null);
        when(configAdmin.getFactoryConfiguration("flux.storage", "nas", "?")).thenReturn(created);

        Map<String, Object> view = service.patch("flux.storage~nas", body("root", "/mnt/nas", "enabled", "false"));

        verify(created).updateIfDifferent(any());
        assertThat(view).containsEntry("factory_pid", "flux.storage");
    }

    @Test
    void listNamesManagedPidsWithHotFields() {
        assertThat(service.listManaged()).extracting(m -> m.get("pid"))
                .containsExactly("flux.storage", SECURITY, SERVER);
        assertThat(service.listManaged().get(2).get("hot_fields")).isEqualTo(List.of("log.level", "log.levels"));
    }

    @Test
    void pidsThatCouldBreakAFilterAreEscapedOrRefused() throws Exception {
        assertThat(ConfigService.escape("a*(b)\\")).isEqualTo("a\\*\\(b\\)\\\\");
        assertThatThrownBy(() -> service.view("has space")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }
}
