package io.flux.media.server.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.ILoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;

/** The only class that touches Logback types (the bundle imports Logback optionally). */
final class LogbackControl implements LogControl {

    /** Name of the console appender this bundle installs on the root logger. */
    static final String APPENDER_NAME = "flux-console";

    private final LoggerContext context;
    private Set<String> managedLoggers = new HashSet<>();

    LogbackControl(LoggerContext context) {
        this.context = context;
    }

    static LogControl of(ILoggerFactory factory) {
        return new LogbackControl((LoggerContext) factory);
    }

    @Override
    public synchronized void apply(LogLevel root, Map<String, LogLevel> loggers) {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(toLogback(root));
        for (String name : managedLoggers) {
            if (!loggers.containsKey(name)) {
                context.getLogger(name).setLevel(null);
            }
        }
        loggers.forEach((name, level) -> context.getLogger(name).setLevel(toLogback(level)));
        managedLoggers = new HashSet<>(loggers.keySet());
    }

    @Override
    public synchronized void useConsolePattern() {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(APPENDER_NAME) != null) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(CONSOLE_PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER_NAME);
        console.setEncoder(encoder);
        console.start();
        // Replace, not add: two console appenders would print every line twice.
        List<Appender<ILoggingEvent>> previous = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext();) {
            Appender<ILoggingEvent> appender = it.next();
            if (appender instanceof ConsoleAppender) {
                previous.add(appender);
            }
        }
        root.addAppender(console);
        for (Appender<ILoggingEvent> appender : previous) {
            root.detachAppender(appender);
            appender.stop();
        }
    }

    @Override
    public boolean supported() {
        return true;
    }

    static Level toLogback(LogLevel level) {
        return switch (level) {
            case TRACE -> Level.TRACE;
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARN -> Level.WARN;
            case ERROR -> Level.ERROR;
        };
    }
}
