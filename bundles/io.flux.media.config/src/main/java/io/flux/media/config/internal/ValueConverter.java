package io.flux.media.config.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.service.metatype.AttributeDefinition;

/** Turns JSON values (as Jackson reads them) into the types Config Admin stores for a field. */
@SuppressWarnings("deprecation") // BIGINTEGER and BIGDECIMAL are deprecated AD types but may still appear
final class ValueConverter {

    /** Why a value does not fit its field; the reason never repeats the value (it may be a secret). */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private ValueConverter() {
    }

    /** Converts {@code json} (not null) for {@code spec}, honouring type, cardinality and options. */
    static Object fromJson(FieldSpec spec, Object json) throws Invalid {
        if (json instanceof Map<?, ?>) {
            throw new Invalid("must be " + describe(spec) + ", not an object");
        }
        if (spec.cardinality() == 0) {
            if (json instanceof Collection<?>) {
                throw new Invalid("must be a single " + typeName(spec.type()) + ", not an array");
            }
            Object value = scalar(spec.type(), json);
            check(spec, value);
            return value;
        }
        List<?> elements = json instanceof Collection<?> c ? new ArrayList<>(c) : List.of(json);
        int max = Math.abs(spec.cardinality());
        if (spec.cardinality() != Integer.MAX_VALUE && spec.cardinality() != Integer.MIN_VALUE
                && elements.size() > max) {
            throw new Invalid("takes at most " + max + " value(s), got " + elements.size());
        }
        List<Object> converted = new ArrayList<>(elements.size());
        for (Object element : elements) {
            if (element == null || element instanceof Collection<?> || element instanceof Map<?, ?>) {
                throw new Invalid("must be an array of " + typeName(spec.type()) + " values");
            }
            Object value = scalar(spec.type(), element);
            check(spec, value);
            converted.add(value);
        }
        return collect(spec, converted);
    }

    /** The typed default of a field, or {@code null} when it has none or it does not parse. */
    static Object defaultValue(FieldSpec spec) {
        List<String> defaults = spec.defaults();
        if (spec.cardinality() == 0) {
            if (defaults.isEmpty()) {
                return null;
            }
            try {
                return scalar(spec.type(), defaults.get(0));
            } catch (Invalid e) {
                return null;
            }
        }
        List<Object> values = new ArrayList<>();
        for (String text : defaults) {
            // Metatype writes an empty array default as "", which is no element at all.
            if (text.isEmpty() && defaults.size() == 1) {
                continue;
            }
            try {
                values.add(scalar(spec.type(), text));
            } catch (Invalid e) {
                return null;
            }
        }
        return collect(spec, values);
    }

    /**
     * Converts a value for a PID without metatype: keeps the stored value's type when there is one,
     * else strings, booleans, whole numbers (Long), decimals (Double) and arrays of one of them.
     */
    static Object infer(Object json, Object stored) throws Invalid {
        if (json instanceof Map<?, ?>) {
            throw new Invalid("must be a string, number, boolean or array, not an object");
        }
        Integer storedType = stored == null ? null : typeOf(stored);
        if (json instanceof Collection<?> collection) {
            List<Object> converted = new ArrayList<>();
            int type = storedType != null ? storedType : collection.isEmpty() ? AttributeDefinition.STRING
                    : naturalType(collection.iterator().next());
            for (Object element : collection) {
                if (element == null || element instanceof Collection<?> || element instanceof Map<?, ?>) {
                    throw new Invalid("must be an array of plain values");
                }
                converted.add(scalar(type, element));
            }
            Object array = Array.newInstance(javaType(type), converted.size());
            for (int i = 0; i < converted.size(); i++) {
                Array.set(array, i, converted.get(i));
            }
            return array;
        }
        return scalar(storedType != null ? storedType : naturalType(json), json);
    }

    private static Integer typeOf(Object stored) {
        Object sample = stored;
        if (stored.getClass().isArray()) {
            sample = Array.getLength(stored) > 0 ? Array.get(stored, 0) : null;
        } else if (stored instanceof Collection<?> c) {
            sample = c.isEmpty() ? null : c.iterator().next();
        }
        if (sample == null) {
            return null;
        }
        return switch (sample) {
            case String s -> AttributeDefinition.STRING;
            case Boolean b -> AttributeDefinition.BOOLEAN;
            case Integer i -> AttributeDefinition.INTEGER;
            case Long l -> AttributeDefinition.LONG;
            case Short s -> AttributeDefinition.SHORT;
            case Byte b -> AttributeDefinition.BYTE;
            case Double d -> AttributeDefinition.DOUBLE;
            case Float f -> AttributeDefinition.FLOAT;
            case Character c -> AttributeDefinition.CHARACTER;
            default -> null;
        };
    }

    private static int naturalType(Object json) throws Invalid {
        return switch (json) {
            case String s -> AttributeDefinition.STRING;
            case Boolean b -> AttributeDefinition.BOOLEAN;
            case Integer i -> AttributeDefinition.LONG;
            case Long l -> AttributeDefinition.LONG;
            case BigInteger b -> AttributeDefinition.LONG;
            case Number n -> AttributeDefinition.DOUBLE;
            default -> throw new Invalid("must be a string, number, boolean or array");
        };
    }

    private static Object collect(FieldSpec spec, List<Object> values) {
        if (spec.cardinality() < 0) {
            return new ArrayList<>(values);
        }
        Object array = Array.newInstance(javaType(spec.type()), values.size());
        for (int i = 0; i < values.size(); i++) {
            Array.set(array, i, values.get(i));
        }
        return array;
    }

    private static void check(FieldSpec spec, Object value) throws Invalid {
        String text = String.valueOf(value);
        if (!spec.options().isEmpty() && !spec.options().contains(text)) {
            throw new Invalid(spec.password() ? "is not one of the allowed values"
                    : "must be one of " + String.join(", ", spec.options()));
        }
        // Felix splits multi-valued input at commas, so its check is only safe where no comma can occur.
        boolean commaFree = spec.type() != AttributeDefinition.STRING && spec.type() != AttributeDefinition.PASSWORD;
        if (spec.validator() != null && (commaFree || spec.cardinality() == 0)) {
            String problem = spec.validator().apply(text);
            if (problem != null && !problem.isEmpty()) {
                throw new Invalid("is not valid: " + problem);
            }
        }
    }

    static Object scalar(int type, Object json) throws Invalid {
        switch (type) {
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> {
                if (json instanceof String s) {
                    return s;
                }
                throw new Invalid("must be a string");
            }
            case AttributeDefinition.BOOLEAN -> {
                if (json instanceof Boolean b) {
                    return b;
                }
                if (json instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.valueOf(s.toLowerCase(Locale.ROOT));
                }
                throw new Invalid("must be true or false");
            }
            case AttributeDefinition.LONG -> {
                return integral(json, Long.MIN_VALUE, Long.MAX_VALUE, "a whole number").longValue();
            }
            case AttributeDefinition.INTEGER -> {
                return integral(json, Integer.MIN_VALUE, Integer.MAX_VALUE, "a whole number").intValue();
            }
            case AttributeDefinition.SHORT -> {
                return integral(json, Short.MIN_VALUE, Short.MAX_VALUE, "a whole number").shortValue();
            }
            case AttributeDefinition.BYTE -> {
                return integral(json, Byte.MIN_VALUE, Byte.MAX_VALUE, "a whole number").byteValue();
            }
            case AttributeDefinition.BIGINTEGER -> {
                return integralValue(json, "a whole number");
            }
            case AttributeDefinition.DOUBLE -> {
                double d = decimal(json).doubleValue();
                if (Double.isInfinite(d)) {
                    throw new Invalid("is out of range");
                }
                return d;
            }
            case AttributeDefinition.FLOAT -> {
                float f = decimal(json).floatValue();
                if (Float.isInfinite(f)) {
                    throw new Invalid("is out of range");
                }
                return f;
            }
            case AttributeDefinition.BIGDECIMAL -> {
                return decimal(json);
            }
            case AttributeDefinition.CHARACTER -> {
                if (json instanceof String s && s.length() == 1) {
                    return s.charAt(0);
                }
                throw new Invalid("must be a single character");
            }
            default -> throw new Invalid("has an attribute type (" + type + ") this API cannot set");
        }
    }

    private static BigInteger integral(Object json, long min, long max, String what) throws Invalid {
        BigInteger value = integralValue(json, what);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new Invalid("must be between " + min + " and " + max);
        }
        return value;
    }

    private static BigInteger integralValue(Object json, String what) throws Invalid {
        try {
            return switch (json) {
                case Integer i -> BigInteger.valueOf(i);
                case Long l -> BigInteger.valueOf(l);
                case Short s -> BigInteger.valueOf(s);
                case Byte b -> BigInteger.valueOf(b);
                case BigInteger b -> b;
                case BigDecimal d -> d.toBigIntegerExact();
                case Double d -> new BigDecimal(d).toBigIntegerExact();
                case Float f -> new BigDecimal(f).toBigIntegerExact();
                case String s -> new BigInteger(s.trim());
                default -> throw new Invalid("must be " + what);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new Invalid("must be " + what);
        }
    }

    private static BigDecimal decimal(Object json) throws Invalid {
        try {
            return switch (json) {
                case BigDecimal d -> d;
                case BigInteger b -> new BigDecimal(b);
                case Double d -> BigDecimal.valueOf(d);
                case Float f -> BigDecimal.valueOf(f.doubleValue());
                case Number n -> BigDecimal.valueOf(n.longValue());
                case String s -> new BigDecimal(s.trim());
                default -> throw new Invalid("must be a number");
            };
        } catch (NumberFormatException e) {
            throw new Invalid("must be a number");
        }
    }

    private static Class<?> javaType(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.class;
            case AttributeDefinition.INTEGER -> Integer.class;
            case AttributeDefinition.SHORT -> Short.class;
            case AttributeDefinition.BYTE -> Byte.class;
            case AttributeDefinition.CHARACTER -> Character.class;
            case AttributeDefinition.DOUBLE -> Double.class;
            case AttributeDefinition.FLOAT -> Float.class;
            case AttributeDefinition.BOOLEAN -> Boolean.class;
            case AttributeDefinition.BIGINTEGER -> BigInteger.class;
            case AttributeDefinition.BIGDECIMAL -> BigDecimal.class;
            default -> String.class;
        };
    }

    private static String describe(FieldSpec spec) {
        return spec.cardinality() == 0 ? "a " + typeName(spec.type()) : "an array of " + typeName(spec.type());
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> "string";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.CHARACTER -> "character";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT, AttributeDefinition.BIGDECIMAL -> "number";
            default -> "whole number";
        };
    }
}
