package io.flux.media.server.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Builds annotation-typed configurations for tests: overrides by method name, else the declared default. */
final class Configs {

    private Configs() {
    }

    static <T> T of(Class<T> type, Map<String, Object> overrides) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            if (overrides.containsKey(method.getName())) {
                return overrides.get(method.getName());
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides;
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> throw new IllegalStateException("No value for " + method.getName());
            };
        });
        return type.cast(proxy);
    }
}
