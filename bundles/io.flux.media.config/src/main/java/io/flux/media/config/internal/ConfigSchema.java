package io.flux.media.config.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The metatype of a PID: its attributes in declaration order. */
record ConfigSchema(Map<String, FieldSpec> fields) {

    ConfigSchema {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    static ConfigSchema of(ObjectClassDefinition ocd) {
        Map<String, FieldSpec> fields = new LinkedHashMap<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) {
            for (AttributeDefinition ad : ads) {
                fields.put(ad.getID(), FieldSpec.of(ad));
            }
        }
        return new ConfigSchema(fields);
    }

    static ConfigSchema of(FieldSpec... specs) {
        Map<String, FieldSpec> fields = new LinkedHashMap<>();
        for (FieldSpec spec : specs) {
            fields.put(spec.id(), spec);
        }
        return new ConfigSchema(fields);
    }

    Optional<FieldSpec> field(String id) {
        return Optional.ofNullable(fields.get(id));
    }

    /** The typed default of a field, or {@code null} when it has none. */
    Object defaultValue(String id) {
        FieldSpec spec = fields.get(id);
        return spec == null ? null : ValueConverter.defaultValue(spec);
    }
}
