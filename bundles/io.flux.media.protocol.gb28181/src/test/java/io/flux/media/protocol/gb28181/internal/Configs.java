package io.flux.media.protocol.gb28181.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;

/** Builds typed-config instances for components created with {@code new}: defaults, plus overrides by method name. */
final class Configs {

    private Configs() {
    }

    static <T extends Annotation> T of(Class<T> type, Map<String, Object> overrides) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            String name = method.getName();
            if (overrides.containsKey(name)) {
                return overrides.get(name);
            }
            return switch (name) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides.keySet();
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> {
                    Object value = method.getDefaultValue();
                    if (value == null) {
                        throw new IllegalStateException("No default for " + name);
                    }
                    yield value;
                }
            };
        });
        return type.cast(proxy);
    }
}
