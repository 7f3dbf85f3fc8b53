package io.flux.media.config.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.rest.ApiException;

/**
 * The logic behind {@code /api/v1/config}: the view of a PID (stored, effective, pending) and PATCH with
 * its validation and restart-only refusal. Free of JAX-RS so it can be tested with plain data.
 */
final class ConfigService {

    /** Finds the metatype of a configuration. */
    interface SchemaLookup {
        Optional<ConfigSchema> find(String pid, String factoryPid);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConfigService.class);

    private static final int MAX_PID_LENGTH = 256;

    private final ConfigurationAdmin configAdmin;
    private final SchemaLookup schemas;
    private final Supplier<Declarations> declarations;
    private final RestartGuard guard;
    private final Predicate<String> hasOtherTarget;
    private final Duration deliveryWait;

    /**
     * @param hasOtherTarget whether something other than a DS component (a ManagedService or
     *        ManagedServiceFactory) takes the given policy PID
     * @param deliveryWait how long PATCH waits for hot fields to reach the component before answering
     */
    ConfigService(ConfigurationAdmin configAdmin, SchemaLookup schemas, Supplier<Declarations> declarations,
            RestartGuard guard, Predicate<String> hasOtherTarget, Duration deliveryWait) {
        this.configAdmin = configAdmin;
        this.schemas = schemas;
        this.declarations = declarations;
        this.guard = guard;
        this.hasOtherTarget = hasOtherTarget;
        this.deliveryWait = deliveryWait;
    }

    private record Target(String pid, String factoryPid, Configuration configuration, String policyPid) {
    }

    /** {@code GET /config}: every managed PID with its hot fields. */
    List<Map<String, Object>> listManaged() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Declarations.ManagedPid managed : declarations.get().managed()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("pid", managed.pid());
            entry.put("hot_fields", List.copyOf(managed.hotFields()));
            entry.put("components", List.copyOf(managed.components()));
            list.add(entry);
        }
        return list;
    }

    /** {@code GET /config/{pid}}. */
    Map<String, Object> view(String pid) {
        Target target = resolve(pid);
        Optional<ConfigSchema> schema = schemas.find(target.pid(), target.factoryPid());
        Optional<Declarations.ManagedPid> managed = declarations.get().managed(target.policyPid());
        if (target.configuration() == null && schema.isEmpty() && managed.isEmpty()) {
            throw ApiException.notFound("No configuration, metatype or managed component for PID " + pid);
        }
        return render(target, schema, managed);
    }

    /** {@code PATCH /config/{pid}}: validates, refuses restart-only changes (409), merges the rest. */
    Map<String, Object> patch(String pid, Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest("The body must be a JSON object of field -> value");
        }
        Target target = resolve(pid);
        Declarations declared = declarations.get();
        Optional<Declarations.ManagedPid> managed = declared.managed(target.policyPid());
        if (managed.isEmpty() && !declared.isConfigured(target.policyPid()) && !hasOtherTarget.test(target.policyPid())) {
            throw ApiException.notFound("No component takes configuration PID " + pid);
        }
        Optional<ConfigSchema> schema = schemas.find(target.pid(), target.factoryPid());
        Map<String, Object> stored = target.configuration() == null ? Map.of()
                : Values.fields(target.configuration().getProperties());
        Changes changes = convert(pid, body, schema, stored);

        Set<String> hot = managed.map(Declarations.ManagedPid::hotFields).orElse(Set.of());
        // Nothing runs yet for a new factory instance (or a component that requires its configuration).
        boolean nothingRuns = target.configuration() == null && (target.factoryPid() != null
                || managed.map(m -> !m.runsWithoutConfiguration()).orElse(false));
        Set<String> restartOnly = new TreeSet<>();
        Map<String, Object> hotChanges = new LinkedHashMap<>();
        for (Map.Entry<String, Object> change : changes.values().entrySet()) {
            String key = change.getKey();
            Object before = stored.containsKey(key) ? stored.get(key) : defaultOf(schema, key);
            Object after = change.getValue() == null ? defaultOf(schema, key) : change.getValue();
            if (hot.contains(key)) {
                hotChanges.put(key, change.getValue());
            } else if (!nothingRuns && !Values.same(before, after)) {
                restartOnly.add(key);
            }
        }
        if (!restartOnly.isEmpty()) {
            String why = managed.isPresent() ? "" : " (no component declares hot-updatable fields for this PID,"
                    + " so every field is restart-only)";
            throw ApiException.conflict("Restart-only field(s) of " + pid + " cannot change while the server runs: "
                    + String.join(", ", restartOnly) + why
                    + ". Nothing was changed; change them in the configuration and restart the server.",
                    Map.of("restart_only_fields", List.copyOf(restartOnly),
                            "hot_fields", List.copyOf(new TreeSet<>(hot))));
        }

        Map<String, Object> merged = new LinkedHashMap<>(stored);
        changes.values().forEach((key, value) -> {
            if (value == null) {
                merged.remove(key);
            } else {
                merged.put(key, value);
            }
        });
        if (!unchanged(stored, merged)) {
            write(target, merged);
            if (managed.isPresent() && !hotChanges.isEmpty()) {
                awaitDelivery(target.pid(), hotChanges);
            }
        }
        return render(resolve(pid), schema, managed);
    }

    private record Changes(Map<String, Object> values) {
    }

    /** Converts the body; {@code null} values in the result mean "remove the key". */
    private static Changes convert(String pid, Map<String, Object> body, Optional<ConfigSchema> schema,
            Map<String, Object> stored) {
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        Map<String, String> invalid = new TreeMap<>();
        for (Map.Entry<String, Object> entry : body.entrySet()) {
            String key = entry.getKey();
            Object json = entry.getValue();
            if (key == null || key.isBlank() || Values.isAutoKey(key)) {
                invalid.put(String.valueOf(key), "is maintained by Config Admin and cannot be set");
                continue;
            }
            Optional<FieldSpec> spec = schema.flatMap(s -> s.field(key));
            if (schema.isPresent() && spec.isEmpty()) {
                unknown.add(key);
                continue;
            }
            if (json == null) {
                values.put(key, null);
                continue;
            }
            // A GET shows secrets as the mask; sending the view back must not overwrite them with it.
            if (Values.MASK.equals(json) && spec.map(FieldSpec::password).orElse(Values.looksSecret(key))) {
                continue;
            }
            try {
                values.put(key, spec.isPresent() ? ValueConverter.fromJson(spec.get(), json)
                        : ValueConverter.infer(json, stored.get(key)));
            } catch (ValueConverter.Invalid e) {
                invalid.put(key, e.getMessage());
            }
        }
        if (!unknown.isEmpty() || !invalid.isEmpty()) {
            List<String> problems = new ArrayList<>();
            if (!unknown.isEmpty()) {
                problems.add("unknown field(s) " + String.join(", ", unknown));
            }
            invalid.forEach((key, reason) -> problems.add(key + " " + reason));
            Map<String, Object> details = new LinkedHashMap<>();
            if (!unknown.isEmpty()) {
                details.put("unknown_fields", List.copyOf(unknown));
            }
            if (!invalid.isEmpty()) {
                details.put("invalid_fields", invalid);
            }
            throw new ApiException(400, "bad_request", "Invalid configuration for " + pid + ": "
                    + String.join("; ", problems), details, null);
        }
        return new Changes(values);
    }

    private static boolean unchanged(Map<String, Object> before, Map<String, Object> after) {
        return before.keySet().equals(after.keySet())
                && before.entrySet().stream().allMatch(e -> Values.same(e.getValue(), after.get(e.getKey())));
    }

    private void write(Target target, Map<String, Object> merged) {
        try {
            Configuration configuration = target.configuration();
            if (configuration == null) {
                // "?" (multi-location): visible to whichever bundle's component takes the PID.
                configuration = target.factoryPid() != null
                        ? configAdmin.getFactoryConfiguration(target.factoryPid(),
                                target.pid().substring(target.pid().indexOf('~') + 1), "?")
                        : configAdmin.getConfiguration(target.pid(), "?");
            }
            Dictionary<String, Object> properties = new Hashtable<>(merged);
            configuration.updateIfDifferent(properties);
            LOG.info("Configuration {} updated through the REST API (fields {})", target.pid(), merged.keySet());
        } catch (IOException | IllegalStateException e) {
            throw new ApiException(500, "internal_error", "Cannot write configuration " + target.pid() + ": "
                    + e.getMessage(), Map.of(), e);
        }
    }

    private void awaitDelivery(String pid, Map<String, Object> hotChanges) {
        try {
            if (!guard.awaitEffective(pid, hotChanges, deliveryWait)) {
                LOG.debug("Hot fields of {} not delivered within {}; answering with the state so far", pid,
                        deliveryWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Object> render(Target target, Optional<ConfigSchema> schema,
            Optional<Declarations.ManagedPid> managed) {
        Map<String, Object> stored = target.configuration() == null ? Map.of()
                : Values.fields(target.configuration().getProperties());
        Optional<RestartGuard.Status> status = guard.status(target.pid());
        Map<String, Object> effectiveRaw = status.map(RestartGuard.Status::effective).orElse(stored);
        Set<String> hot = managed.map(Declarations.ManagedPid::hotFields).orElse(Set.of());

        Set<String> fields = new LinkedHashSet<>();
        schema.ifPresent(s -> fields.addAll(s.fields().keySet()));
        if (schema.isEmpty()) {
            fields.addAll(stored.keySet());
            fields.addAll(effectiveRaw.keySet());
        }
        Set<String> restartOnly = new TreeSet<>(fields);
        restartOnly.removeAll(hot);

        Map<String, Object> properties = new TreeMap<>();
        stored.forEach((key, value) -> properties.put(key, shown(schema, key, value)));

        Map<String, Object> effective = new TreeMap<>();
        schema.ifPresent(s -> s.fields().keySet().forEach(key -> {
            Object value = s.defaultValue(key);
            if (value != null) {
                effective.put(key, shown(schema, key, value));
            }
        }));
        effectiveRaw.forEach((key, value) -> effective.put(key, shown(schema, key, value)));

        Map<String, Object> pending = new TreeMap<>();
        status.ifPresent(s -> s.pending().forEach((key, held) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("effective", shown(schema, key, held.effective() != null ? held.effective()
                    : defaultOf(schema, key)));
            entry.put("pending", shown(schema, key, held.pending() != null ? held.pending()
                    : defaultOf(schema, key)));
            pending.put(key, entry);
        }));

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pid", target.pid());
        if (target.factoryPid() != null) {
            view.put("factory_pid", target.factoryPid());
        }
        view.put("managed", managed.isPresent());
        view.put("hot_fields", List.copyOf(new TreeSet<>(hot)));
        view.put("restart_only_fields", List.copyOf(restartOnly));
        view.put("properties", properties);
        view.put("effective", effective);
        view.put("pending_restart", pending);
        return view;
    }

    private static Object defaultOf(Optional<ConfigSchema> schema, String key) {
        return schema.map(s -> s.defaultValue(key)).orElse(null);
    }

    /** The value as the API shows it: secrets masked, arrays as lists. */
    static Object shown(Optional<ConfigSchema> schema, String key, Object value) {
        if (value == null) {
            return null;
        }
        Optional<FieldSpec> spec = schema.flatMap(s -> s.field(key));
        boolean secret = spec.map(FieldSpec::password).orElse(Values.looksSecret(key));
        return secret ? Values.MASK : Values.toJson(value);
    }

    private Target resolve(String pid) {
        if (pid == null || pid.isBlank() || pid.length() > MAX_PID_LENGTH
                || pid.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw ApiException.badRequest("Not a configuration PID: use letters, digits and . _ - ~ (at most "
                    + MAX_PID_LENGTH + " characters)");
        }
        Configuration configuration;
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + escape(pid) + ")");
            configuration = found == null || found.length == 0 ? null : found[0];
        } catch (IOException | InvalidSyntaxException e) {
            throw new ApiException(500, "internal_error", "Cannot read configuration " + pid + ": " + e.getMessage(),
                    Map.of(), e);
        }
        String factoryPid = configuration != null ? configuration.getFactoryPid() : null;
        if (factoryPid == null && configuration == null && pid.indexOf('~') > 0) {
            factoryPid = pid.substring(0, pid.indexOf('~'));
        }
        return new Target(pid, factoryPid, configuration, Declarations.policyPid(pid, factoryPid));
    }

    /** RFC 4515 escaping for a filter value. */
    static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
