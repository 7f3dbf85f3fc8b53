package io.flux.media.management.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A feature as its {@code feature.json} declares it:
 * <pre>
 * {"name":"console","description":"...","core":false,"boot":true,
 *  "bundles":["file-name.jar",...],"configurations":{"&lt;pid&gt;":{"key":"value",...}}}
 * </pre>
 * Configuration values are already converted to Config Admin types (String, Boolean, Integer, Long,
 * Double, or arrays of one of them).
 */
public record FeatureDefinition(String name, String description, boolean core, boolean boot, List<String> bundles,
        Map<String, Map<String, Object>> configurations) {

    /** Feature (and so folder) names: no path separators, nothing a URL would need escaped. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}\\.jar");
    private static final Set<String> FIELDS = Set.of("name", "description", "core", "boot", "bundles",
            "configurations");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Why a feature.json cannot be used. */
    public static final class InvalidFeatureException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidFeatureException(String message) {
            super(message);
        }
    }

    /**
     * @param folder the feature's folder name, which the {@code name} field (when present) must match
     */
    public static FeatureDefinition parse(String folder, byte[] json) throws InvalidFeatureException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidFeatureException("feature.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidFeatureException("feature.json cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidFeatureException("feature.json must hold a JSON object");
        }
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            String field = property.getKey();
            if (!FIELDS.contains(field)) {
                throw new InvalidFeatureException("unknown field '" + field + "' (expected one of name, description,"
                        + " core, boot, bundles, configurations)");
            }
        }
        String name = text(root, "name", folder);
        if (!name.equals(folder)) {
            throw new InvalidFeatureException("name '" + name + "' does not match its folder '" + folder + "'");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidFeatureException("name '" + name + "' may only hold letters, digits, '.', '_' and '-'");
        }
        String description = text(root, "description", "");
        boolean core = bool(root, "core");
        boolean boot = bool(root, "boot");
        List<String> bundles = new ArrayList<>();
        JsonNode list = root.get("bundles");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new InvalidFeatureException("'bundles' must be an array of jar file names");
            }
            for (JsonNode entry : list) {
                if (!entry.isTextual() || !FILE.matcher(entry.asText()).matches()) {
                    throw new InvalidFeatureException("'bundles' entry " + entry + " is not a jar file name in the"
                            + " feature's folder (letters, digits, '.', '_', '+', '-', ending in .jar)");
                }
                if (bundles.contains(entry.asText())) {
                    throw new InvalidFeatureException("'bundles' lists " + entry.asText() + " twice");
                }
                bundles.add(entry.asText());
            }
        }
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        JsonNode configs = root.get("configurations");
        if (configs != null && !configs.isNull()) {
            if (!configs.isObject()) {
                throw new InvalidFeatureException("'configurations' must be an object of PID -> properties");
            }
            for (Map.Entry<String, JsonNode> entry : configs.properties()) {
                configurations.put(checkPid(entry.getKey()), properties(entry.getKey(), entry.getValue()));
            }
        }
        return new FeatureDefinition(name, description, core, boot, List.copyOf(bundles),
                java.util.Collections.unmodifiableMap(configurations));
    }

    private static String checkPid(String pid) throws InvalidFeatureException {
        if (pid.isBlank() || pid.startsWith("~") || pid.endsWith("~") || pid.indexOf('~') != pid.lastIndexOf('~')) {
            throw new InvalidFeatureException("configuration PID '" + pid + "' is not valid (a PID, or"
                    + " factoryPid~name for a factory configuration)");
        }
        return pid;
    }

    private static Map<String, Object> properties(String pid, JsonNode node) throws InvalidFeatureException {
        if (!node.isObject()) {
            throw new InvalidFeatureException("configuration '" + pid + "' must be an object of properties");
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String where = "configuration '" + pid + "' property '" + entry.getKey() + "'";
            if (entry.getKey().isBlank()) {
                throw new InvalidFeatureException("configuration '" + pid + "' has a property with an empty key");
            }
            properties.put(entry.getKey(), value(where, entry.getValue()));
        }
        return java.util.Collections.unmodifiableMap(properties);
    }

    /** A JSON value as the Config Admin type closest to it. */
    static Object value(String where, JsonNode node) throws InvalidFeatureException {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new InvalidFeatureException(where + " is a number too large for a long");
            }
            return node.canConvertToInt() ? (Object) node.intValue() : (Object) node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            return array(where, node);
        }
        throw new InvalidFeatureException(where + " must be a string, number, boolean or an array of one of them");
    }

    private static Object array(String where, JsonNode node) throws InvalidFeatureException {
        boolean allText = true;
        boolean allBool = true;
        boolean allInt = true;
        boolean allLong = true;
        boolean allNumber = true;
        for (JsonNode element : node) {
            allText &= element.isTextual();
            allBool &= element.isBoolean();
            allInt &= element.isIntegralNumber() && element.canConvertToInt();
            allLong &= element.isIntegralNumber() && element.canConvertToLong();
            allNumber &= element.isNumber();
        }
        int size = node.size();
        if (allText) {
            String[] out = new String[size];
            for (int i = 0; i < size; i++) {
                out[i] = node.get(i).asText();
            }
            return out;
        }
        if (allBool) {
            Boolean[] out = new Boolean[size];
            for (int i = 0; i < size; i++) {
                out[i] = node.get(i).asBoolean();
            }
            return out;
        }
        if (allInt) {
            Integer[] out = new Integer[size];
            for (int i = 0; i < size; i++) {
                out[i] = node.get(i).intValue();
            }
            return out;
        }
        if (allLong) {
            Long[] out = new Long[size];
            for (int i = 0; i < size; i++) {
                out[i] = node.get(i).longValue();
            }
            return out;
        }
        if (allNumber) {
            Double[] out = new Double[size];
            for (int i = 0; i < size; i++) {
                out[i] = node.get(i).doubleValue();
            }
            return out;
        }
        throw new InvalidFeatureException(where + " must be an array of strings, numbers or booleans, all of one kind");
    }

    private static String text(JsonNode root, String field, String fallback) throws InvalidFeatureException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new InvalidFeatureException("'" + field + "' must be a string");
        }
        return node.asText();
    }

    private static boolean bool(JsonNode root, String field) throws InvalidFeatureException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new InvalidFeatureException("'" + field + "' must be true or false");
        }
        return node.asBoolean();
    }
}
