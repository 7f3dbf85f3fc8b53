package io.flux.media.config.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** Comparing, copying and rendering configuration values. */
final class Values {

    /** What every secret looks like in a response. */
    static final String MASK = "********";

    /** Keys Config Admin (or File Install) maintains; they are never fields of a component. */
    private static final Set<String> AUTO_KEYS = Set.of("service.pid", "service.factorypid", "service.bundlelocation");

    // Used only when there is no metatype to say which attributes are passwords.
    private static final Pattern SECRET_NAME = Pattern.compile("password|passwd|secret|token|credential|private.?key",
            Pattern.CASE_INSENSITIVE);

    private Values() {
    }

    static boolean isAutoKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return AUTO_KEYS.contains(lower) || lower.startsWith("felix.fileinstall.");
    }

    static boolean looksSecret(String key) {
        return SECRET_NAME.matcher(key).find();
    }

    /**
     * Whether two configuration values mean the same. {@code null} is "absent". Scalars compare by their
     * text ("8080" from a .cfg file equals 8080 from the Web Console), arrays and collections element-wise.
     */
    static boolean same(Object a, Object b) {
        return Objects.equals(normalize(a), normalize(b));
    }

    private static Object normalize(Object value) {
        if (value == null) {
            return null;
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<String> list = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                list.add(String.valueOf(Array.get(value, i)));
            }
            return list;
        }
        if (value instanceof Collection<?> collection) {
            List<String> list = new ArrayList<>(collection.size());
            collection.forEach(element -> list.add(String.valueOf(element)));
            return list;
        }
        return String.valueOf(value);
    }

    /** A JSON-friendly copy: arrays and collections become lists. */
    static Object toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<Object> list = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                list.add(scalarToJson(Array.get(value, i)));
            }
            return list;
        }
        if (value instanceof Collection<?> collection) {
            List<Object> list = new ArrayList<>(collection.size());
            collection.forEach(element -> list.add(scalarToJson(element)));
            return list;
        }
        return scalarToJson(value);
    }

    private static Object scalarToJson(Object value) {
        return value instanceof Character c ? c.toString() : value;
    }

    /** The properties of a configuration without the keys Config Admin maintains; empty for null. */
    static Map<String, Object> fields(Dictionary<String, ?> properties) {
        if (properties == null) {
            return Collections.emptyMap();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!isAutoKey(key)) {
                fields.put(key, properties.get(key));
            }
        }
        return fields;
    }
}
