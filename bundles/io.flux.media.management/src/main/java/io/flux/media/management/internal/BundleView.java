package io.flux.media.management.internal;

import java.util.List;
import java.util.Map;

/** One bundle as {@code GET /api/v1/bundles} lists it. */
public record BundleView(long id, String symbolic_name, String version, String state, String location,
        boolean fragment, boolean core, String source) {

    /** {@code GET /api/v1/bundles/{id}}: the summary plus a subset of headers and the registered services. */
    public record Detail(long id, String symbolic_name, String version, String state, String location,
            boolean fragment, boolean core, String source, Map<String, String> headers,
            List<ServiceView> services) {
    }

    /** A service the bundle registered: its id and object classes. */
    public record ServiceView(long id, List<String> object_class) {
    }

    static String stateName(int state) {
        return switch (state) {
            case org.osgi.framework.Bundle.UNINSTALLED -> "UNINSTALLED";
            case org.osgi.framework.Bundle.INSTALLED -> "INSTALLED";
            case org.osgi.framework.Bundle.RESOLVED -> "RESOLVED";
            case org.osgi.framework.Bundle.STARTING -> "STARTING";
            case org.osgi.framework.Bundle.STOPPING -> "STOPPING";
            case org.osgi.framework.Bundle.ACTIVE -> "ACTIVE";
            default -> "UNKNOWN";
        };
    }
}
