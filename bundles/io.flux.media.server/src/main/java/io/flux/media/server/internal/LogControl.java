package io.flux.media.server.internal;

import java.util.Map;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Applies log levels and the console pattern to whatever logging backend SLF4J is bound to. */
interface LogControl {

    /** Console pattern: ISO-8601 time, level, thread, logger, the whole MDC, message. */
    String CONSOLE_PATTERN = "%d{ISO8601} %-5level [%thread] %logger{36} %X - %msg%n";

    /**
     * Sets the root level and the given per-logger levels; loggers set by an earlier call and absent
     * now go back to inheriting their parent's level.
     */
    void apply(LogLevel root, Map<String, LogLevel> loggers);

    /** Makes console output use {@link #CONSOLE_PATTERN}. */
    void useConsolePattern();

    /** Whether levels really reach a backend. */
    boolean supported();

    /** The control for the backend SLF4J is bound to right now. */
    static LogControl detect() {
        return forFactory(LoggerFactory.getILoggerFactory());
    }

    static LogControl forFactory(ILoggerFactory factory) {
        // Compare by name first: with the optional Logback import unwired, touching the class would fail.
        if (factory != null && "ch.qos.logback.classic.LoggerContext".equals(factory.getClass().getName())) {
            try {
                return LogbackControl.of(factory);
            } catch (LinkageError | ClassCastException e) {
                // Logback from another class space than ours: same name, unusable type.
                return new UnsupportedLogControl(factory.getClass().getName() + " (" + e + ")");
            }
        }
        return new UnsupportedLogControl(factory == null ? "none" : factory.getClass().getName());
    }
}
