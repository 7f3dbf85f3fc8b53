package io.flux.media.snapshot.keyframe.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Config annotation instances for tests: the declared defaults, with overrides by method name. */
final class Configs {

    private Configs() {
    }

    static <T> T of(Class<T> type, Map<String, Object> overrides) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (overrides.containsKey(method.getName())) {
                return overrides.get(method.getName());
            }
            Object value = method.getDefaultValue();
            if (value == null) {
                throw new UnsupportedOperationException(method.getName());
            }
            return value;
        }));
    }
}
