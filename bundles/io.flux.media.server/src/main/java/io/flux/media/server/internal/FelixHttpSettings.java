package io.flux.media.server.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Writes the HTTP port and host into Felix HTTP's configuration, only when they differ from what is stored. */
final class FelixHttpSettings {

    static final String PID = "org.apache.felix.http";
    static final String PORT = "org.osgi.service.http.port";
    static final String HOST = "org.apache.felix.http.host";
    static final String ENABLE = "org.apache.felix.http.enable";

    private FelixHttpSettings() {
    }

    /**
     * Makes the stored Felix HTTP configuration carry {@code port} and {@code host}; other keys stay.
     *
     * @return whether the configuration was written (Felix HTTP then restarts Jetty)
     */
    static boolean apply(ConfigurationAdmin configAdmin, int port, String host) throws IOException {
        // "?" (multi-location): the configuration must reach the Felix HTTP bundle, not be bound to ours.
        Configuration configuration = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> stored = configuration.getProperties();
        Map<String, Object> wanted = new LinkedHashMap<>();
        wanted.put(PORT, port);
        wanted.put(HOST, host);
        wanted.put(ENABLE, Boolean.TRUE);
        if (stored != null && wanted.entrySet().stream().allMatch(e -> sameValue(stored.get(e.getKey()), e.getValue()))) {
            return false;
        }
        Dictionary<String, Object> merged = new Hashtable<>();
        if (stored != null) {
            for (var keys = stored.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                merged.put(key, stored.get(key));
            }
        }
        wanted.forEach(merged::put);
        configuration.update(merged);
        return true;
    }

    // A file in config/ stores "8080" and "true" as strings; they mean the same as 8080 and true.
    private static boolean sameValue(Object stored, Object wanted) {
        return stored != null && Objects.equals(String.valueOf(stored).trim(), String.valueOf(wanted));
    }
}
