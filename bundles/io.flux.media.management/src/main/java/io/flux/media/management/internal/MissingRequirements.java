package io.flux.media.management.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;

/**
 * Names the requirements that keep a bundle from resolving, as {@code namespace; (filter)} strings
 * (the form Felix and Karaf print, e.g. {@code osgi.wiring.package; (osgi.wiring.package=com.acme)}).
 */
public final class MissingRequirements {

    private static final String MARKER = "missing requirement [";

    private MissingRequirements() {
    }

    /**
     * Reads the requirements out of a Felix resolver message such as
     * {@code Unable to resolve a [5](R 5.0): missing requirement [a [5](R 5.0)] osgi.wiring.package;
     * (osgi.wiring.package=x) [caused by: ...] Unresolved requirements: [...]}. Every requirement named
     * along a "caused by" chain is listed once, outermost first.
     */
    public static List<String> parse(String message) {
        Set<String> found = new LinkedHashSet<>();
        if (message == null) {
            return List.of();
        }
        int from = 0;
        while (true) {
            int start = message.indexOf(MARKER, from);
            if (start < 0) {
                break;
            }
            int afterResource = skipBracketed(message, start + MARKER.length() - 1);
            if (afterResource < 0) {
                break;
            }
            int pos = skipSpaces(message, afterResource);
            int semicolon = message.indexOf(';', pos);
            int space = message.indexOf(' ', pos);
            if (semicolon < 0 || (space >= 0 && space < semicolon)) {
                // A requirement without a filter: the namespace alone is all there is.
                int end = space < 0 ? message.length() : space;
                addIfPresent(found, message.substring(pos, end));
                from = end;
                continue;
            }
            String namespace = message.substring(pos, semicolon).trim();
            int filterStart = skipSpaces(message, semicolon + 1);
            if (filterStart < message.length() && message.charAt(filterStart) == '(') {
                int filterEnd = matchingParen(message, filterStart);
                if (filterEnd < 0) {
                    addIfPresent(found, namespace);
                    break;
                }
                found.add(namespace + "; " + message.substring(filterStart, filterEnd + 1));
                from = filterEnd + 1;
            } else {
                addIfPresent(found, namespace);
                from = filterStart;
            }
        }
        return List.copyOf(found);
    }

    /**
     * Mandatory requirements of the bundle's current revision that no installed bundle offers a
     * capability for. Catches what a direct look can see (a package nobody exports, an absent host);
     * a requirement whose only providers cannot resolve themselves is left to {@link #parse}.
     */
    public static List<String> unsatisfied(Bundle bundle, FrameworkWiring frameworkWiring) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        for (Requirement requirement : revision.getRequirements(null)) {
            if (!isMandatory(requirement)) {
                continue;
            }
            boolean satisfied = HostNamespace.HOST_NAMESPACE.equals(requirement.getNamespace())
                    ? !hosts((BundleRequirement) requirement, frameworkWiring).isEmpty()
                    : !frameworkWiring.findProviders(requirement).isEmpty();
            if (!satisfied) {
                missing.add(format(requirement));
            }
        }
        return List.copyOf(missing);
    }

    /**
     * Installed bundles a fragment's host requirement matches. Felix does not offer an already resolved
     * host through {@code findProviders}, so the hosts' declared capabilities are matched directly.
     */
    public static List<Bundle> hosts(BundleRequirement hostRequirement, FrameworkWiring frameworkWiring) {
        List<Bundle> hosts = new ArrayList<>();
        for (Bundle bundle : frameworkWiring.getBundle().getBundleContext().getBundles()) {
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null || (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0) {
                continue;
            }
            for (BundleCapability capability : revision.getDeclaredCapabilities(HostNamespace.HOST_NAMESPACE)) {
                if (hostRequirement.matches(capability)) {
                    hosts.add(bundle);
                    break;
                }
            }
        }
        return hosts;
    }

    static String format(Requirement requirement) {
        String filter = requirement.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
        return filter == null ? requirement.getNamespace() : requirement.getNamespace() + "; " + filter;
    }

    private static boolean isMandatory(Requirement requirement) {
        String resolution = requirement.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
        String effective = requirement.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
        boolean mandatory = resolution == null || Namespace.RESOLUTION_MANDATORY.equals(resolution);
        boolean atResolve = effective == null || Namespace.EFFECTIVE_RESOLVE.equals(effective);
        return mandatory && atResolve;
    }

    private static void addIfPresent(Set<String> found, String value) {
        String trimmed = value.trim();
        if (!trimmed.isEmpty()) {
            found.add(trimmed);
        }
    }

    private static int skipSpaces(String s, int pos) {
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
        return pos;
    }

    /** Index after the ']' closing the '[' at {@code open}, honouring nesting; -1 when unbalanced. */
    private static int skipBracketed(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Index of the ')' closing the '(' at {@code open}, skipping backslash escapes; -1 when unbalanced. */
    private static int matchingParen(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
