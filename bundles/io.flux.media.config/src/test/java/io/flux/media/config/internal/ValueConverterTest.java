package io.flux.media.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

class ValueConverterTest {

    private static final FieldSpec PORT = new FieldSpec("http.port", AttributeDefinition.INTEGER, 0, List.of(),
            List.of("8080"), text -> Integer.parseInt(text) > 65535 ? "greater than maximum" : "");
    private static final FieldSpec LEVEL = FieldSpec.of("log.level", AttributeDefinition.STRING, 0,
            List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"), List.of("INFO"));
    private static final FieldSpec LEVELS = FieldSpec.of("log.levels", AttributeDefinition.STRING, Integer.MAX_VALUE,
            List.of(), List.of(""));
    private static final FieldSpec TWO_LONGS = FieldSpec.of("pair", AttributeDefinition.LONG, -2, List.of(),
            List.of("1", "2"));

    @Test
    void numbersAndNumericStringsBecomeTheAttributeType() throws Exception {
        assertThat(ValueConverter.fromJson(PORT, 9090)).isEqualTo(9090);
        assertThat(ValueConverter.fromJson(PORT, "9090")).isEqualTo(9090);
        assertThat(ValueConverter.fromJson(PORT, 9090.0)).isEqualTo(9090);
        assertThat(ValueConverter.fromJson(
                FieldSpec.of("d", AttributeDefinition.DOUBLE, 0, List.of(), List.of()), 1)).isEqualTo(1.0);
        assertThat(ValueConverter.fromJson(
                FieldSpec.of("b", AttributeDefinition.BOOLEAN, 0, List.of(), List.of()), "TRUE")).isEqualTo(true);
    }

    @Test
    void wrongTypesAreRejected() {
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, "eighty")).hasMessage("must be a whole number");
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, 80.5)).hasMessage("must be a whole number");
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, BigInteger.TEN.pow(12)))
                .hasMessageContaining("must be between");
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, List.of(1))).hasMessageContaining("not an array");
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, Map.of())).hasMessageContaining("not an object");
        assertThatThrownBy(() -> ValueConverter.fromJson(LEVEL, 3)).hasMessage("must be a string");
        assertThatThrownBy(() -> ValueConverter.fromJson(
                FieldSpec.of("b", AttributeDefinition.BOOLEAN, 0, List.of(), List.of()), "yes"))
                .hasMessage("must be true or false");
    }

    @Test
    void metatypeValidatorAndOptionsApply() throws Exception {
        assertThatThrownBy(() -> ValueConverter.fromJson(PORT, 70000)).hasMessageContaining("greater than maximum");
        assertThat(ValueConverter.fromJson(LEVEL, "DEBUG")).isEqualTo("DEBUG");
        assertThatThrownBy(() -> ValueConverter.fromJson(LEVEL, "LOUD"))
                .hasMessage("must be one of TRACE, DEBUG, INFO, WARN, ERROR");
    }

    @Test
    void cardinalityDecidesArrayOrCollection() throws Exception {
        assertThat(ValueConverter.fromJson(LEVELS, List.of("a=DEBUG", "b=INFO")))
                .isEqualTo(new String[] { "a=DEBUG", "b=INFO" });
        assertThat(ValueConverter.fromJson(LEVELS, "a=DEBUG")).isEqualTo(new String[] { "a=DEBUG" });
        assertThat(ValueConverter.fromJson(TWO_LONGS, List.of(1, "2"))).isEqualTo(List.of(1L, 2L));
        assertThatThrownBy(() -> ValueConverter.fromJson(TWO_LONGS, List.of(1, 2, 3)))
                .hasMessage("takes at most 2 value(s), got 3");
        assertThatThrownBy(() -> ValueConverter.fromJson(LEVELS, java.util.Arrays.asList("a", null)))
                .hasMessageContaining("array of string");
    }

    @Test
    void defaultsAreTyped() {
        assertThat(ValueConverter.defaultValue(PORT)).isEqualTo(8080);
        assertThat(ValueConverter.defaultValue(LEVELS)).isEqualTo(new String[0]);
        assertThat(ValueConverter.defaultValue(TWO_LONGS)).isEqualTo(List.of(1L, 2L));
        assertThat(ValueConverter.defaultValue(FieldSpec.of("none", AttributeDefinition.STRING, 0, null, null)))
                .isNull();
    }

    @Test
    void withoutMetatypeTheStoredTypeOrTheJsonTypeIsKept() throws Exception {
        assertThat(ValueConverter.infer("9090", 8080)).isEqualTo(9090);
        assertThat(ValueConverter.infer(7, null)).isEqualTo(7L);
        assertThat(ValueConverter.infer(1.5, null)).isEqualTo(1.5);
        assertThat(ValueConverter.infer(List.of("a", "b"), null)).isEqualTo(new String[] { "a", "b" });
        assertThatThrownBy(() -> ValueConverter.infer("x", 8080)).hasMessage("must be a whole number");
    }
}
