package io.flux.media.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Typed-config instances for components built with {@code new}: overrides by method name, else the
 * attribute's declared default. Reading an attribute with neither fails, so a test cannot silently rely
 * on a value nobody set.
 */
public final class Configs {

    private Configs() {
    }

    /** {@code overrides} maps method names ({@code http_port}, not {@code http.port}) to values. */
    public static <A> A of(Class<A> type, Map<String, Object> overrides) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            String name = method.getName();
            if (overrides.containsKey(name)) {
                return overrides.get(name);
            }
            Object value = method.getDefaultValue();
            if (value != null) {
                return value;
            }
            return switch (name) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides;
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> throw new IllegalStateException("No override and no default for " + name);
            };
        });
        return type.cast(proxy);
    }

    /** Every attribute at its declared default. */
    public static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
