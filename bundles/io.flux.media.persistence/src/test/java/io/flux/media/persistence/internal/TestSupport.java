package io.flux.media.persistence.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.server.ServerEnvironment;

/** Small helpers shared by the tests. */
final class TestSupport {

    private TestSupport() {
    }

    /** A typed configuration: the annotation's defaults, with {@code overrides} keyed by method name. */
    @SuppressWarnings("unchecked")
    static <T extends Annotation> T config(Class<T> type, Map<String, Object> overrides) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            if (method.getName().equals("annotationType")) {
                return type;
            }
            if (method.getName().equals("toString")) {
                return type.getSimpleName() + overrides;
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            return overrides.containsKey(method.getName()) ? overrides.get(method.getName()) : method.getDefaultValue();
        });
    }

    /** Waits for {@code condition} up to {@code timeout}, polling; fails with {@code what} on timeout. */
    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Captures every log event of every logger, at every level, while open. */
    static final class LogCapture implements AutoCloseable {
        private final ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final ch.qos.logback.classic.Logger hikari =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.zaxxer.hikari");
        private final ch.qos.logback.classic.Level rootLevel = root.getLevel();
        private final ch.qos.logback.classic.Level hikariLevel = hikari.getLevel();
        private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();

        LogCapture() {
            appender.start();
            root.addAppender(appender);
            root.setLevel(ch.qos.logback.classic.Level.ALL);
            hikari.setLevel(ch.qos.logback.classic.Level.ALL);
        }

        /** Every captured message and the messages of attached throwables, one line each. */
        List<String> lines() {
            List<String> lines = new java.util.ArrayList<>();
            for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(appender.list)) {
                lines.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
                ch.qos.logback.classic.spi.IThrowableProxy t = e.getThrowableProxy();
                for (; t != null; t = t.getCause()) {
                    lines.add("  " + t.getClassName() + ": " + t.getMessage());
                }
            }
            return lines;
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            root.setLevel(rootLevel);
            hikari.setLevel(hikariLevel);
        }
    }

    record Environment(Path dataDirectory) implements ServerEnvironment {
        @Override
        public int httpPort() {
            return 8080;
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        public Instant startedAt() {
            return Instant.EPOCH;
        }
    }

    /** Records what a {@link DatabaseManager} publishes. */
    static final class Recorder implements DatabaseManager.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile Database current;

        @Override
        public void up(Database database) {
            events.add("up");
            current = database;
        }

        @Override
        public void down(Database database) {
            events.add("down");
            if (current == database) {
                current = null;
            }
        }

        long ups() {
            return events.stream().filter("up"::equals).count();
        }
    }
}
