package io.flux.media.config.internal;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * One attribute of a metatype OCD, detached from the metatype service so validation can be tested with
 * plain data.
 *
 * @param type an {@link AttributeDefinition} type constant
 * @param cardinality 0 scalar, &gt;0 array of at most that many, &lt;0 collection of at most -n
 * @param options allowed values (empty: any)
 * @param defaults default values as text (empty: none)
 * @param validator the metatype's own check of one value as text: {@code null} or {@code ""} means
 *        accepted; may itself be {@code null}
 */
record FieldSpec(String id, int type, int cardinality, List<String> options, List<String> defaults,
        UnaryOperator<String> validator) {

    FieldSpec {
        options = options == null ? List.of() : List.copyOf(options);
        defaults = defaults == null ? List.of() : List.copyOf(defaults);
    }

    static FieldSpec of(AttributeDefinition ad) {
        return new FieldSpec(ad.getID(), ad.getType(), ad.getCardinality(), list(ad.getOptionValues()),
                list(ad.getDefaultValue()), ad::validate);
    }

    /** A field without metatype validator, for tests and simple cases. */
    static FieldSpec of(String id, int type, int cardinality, List<String> options, List<String> defaults) {
        return new FieldSpec(id, type, cardinality, options, defaults, null);
    }

    boolean password() {
        return type == AttributeDefinition.PASSWORD;
    }

    private static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.stream(values).filter(v -> v != null).toList();
    }
}
