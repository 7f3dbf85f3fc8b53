package io.flux.media.config.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import io.flux.media.api.config.HotUpdatable;

/**
 * Which configuration PIDs the policy manages and which of their fields are hot, as declared by DS
 * components through {@link HotUpdatable}. Built from a fresh read of the SCR descriptions each time,
 * since bundles come and go.
 */
final class Declarations {

    /**
     * A PID some component declares hot fields for.
     *
     * @param hotFields fields that apply live: those every declaring component lists
     * @param runsWithoutConfiguration whether a declaring component runs on its defaults when no
     *        configuration exists (configuration policy "optional")
     */
    record ManagedPid(String pid, Set<String> hotFields, SortedSet<String> components,
            boolean runsWithoutConfiguration) {
    }

    private final Map<String, ManagedPid> managed;
    private final Set<String> configuredPids;

    private Declarations(Map<String, ManagedPid> managed, Set<String> configuredPids) {
        this.managed = managed;
        this.configuredPids = configuredPids;
    }

    static Declarations of(Collection<ComponentDescriptionDTO> descriptions) {
        Map<String, Set<String>> hot = new HashMap<>();
        Map<String, SortedSet<String>> components = new HashMap<>();
        Set<String> optional = new HashSet<>();
        Set<String> configured = new HashSet<>();
        for (ComponentDescriptionDTO description : descriptions) {
            if (description == null || description.configurationPid == null
                    || "ignore".equals(description.configurationPolicy)) {
                continue;
            }
            Collections.addAll(configured, description.configurationPid);
            Optional<Set<String>> declared = hotFieldsOf(description.properties);
            if (declared.isEmpty()) {
                continue;
            }
            for (String pid : description.configurationPid) {
                // Several components on one PID: a field is hot only if every one of them applies it live.
                hot.merge(pid, new HashSet<>(declared.get()), (a, b) -> {
                    a.retainAll(b);
                    return a;
                });
                components.computeIfAbsent(pid, p -> new TreeSet<>()).add(description.name);
                if ("optional".equals(description.configurationPolicy)) {
                    optional.add(pid);
                }
            }
        }
        Map<String, ManagedPid> managed = new TreeMap<>();
        hot.forEach((pid, fields) -> managed.put(pid, new ManagedPid(pid,
                Collections.unmodifiableSet(new TreeSet<>(fields)),
                Collections.unmodifiableSortedSet(components.get(pid)), optional.contains(pid))));
        return new Declarations(Collections.unmodifiableMap(managed), Collections.unmodifiableSet(configured));
    }

    /** The hot fields a component property value lists, or empty when the component declares none. */
    static Optional<Set<String>> hotFieldsOf(Map<String, Object> properties) {
        Object value = properties == null ? null : properties.get(HotUpdatable.PROPERTY);
        Set<String> fields = new LinkedHashSet<>();
        if (value instanceof String s) {
            addField(fields, s);
        } else if (value instanceof String[] array) {
            for (String s : array) {
                addField(fields, s);
            }
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(element -> addField(fields, String.valueOf(element)));
        } else {
            return Optional.empty();
        }
        return Optional.of(fields);
    }

    private static void addField(Set<String> fields, String field) {
        if (field != null && !field.isBlank()) {
            fields.add(field.trim());
        }
    }

    /**
     * The PID whose declarations govern a configuration: the factory PID for a factory configuration
     * ({@code factory~name}), without any targeted-PID suffix ({@code pid|bsn|version|location}).
     */
    static String policyPid(String pid, String factoryPid) {
        String base = factoryPid;
        if (base == null) {
            int tilde = pid.indexOf('~');
            base = tilde > 0 ? pid.substring(0, tilde) : pid;
        }
        int bar = base.indexOf('|');
        return bar > 0 ? base.substring(0, bar) : base;
    }

    Optional<ManagedPid> managed(String policyPid) {
        return Optional.ofNullable(managed.get(policyPid));
    }

    Collection<ManagedPid> managed() {
        return managed.values();
    }

    /** Whether any DS component (declaring hot fields or not) takes configuration from this PID. */
    boolean isConfigured(String policyPid) {
        return configuredPids.contains(policyPid);
    }
}
