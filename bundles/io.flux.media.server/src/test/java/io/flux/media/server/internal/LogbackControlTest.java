package io.flux.media.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.ILoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;

class LogbackControlTest {

    private final LoggerContext context = new LoggerContext();

    @Test
    void appliesRootAndLoggerLevelsAndResetsRemovedOnes() {
        LogbackControl control = new LogbackControl(context);

        control.apply(LogLevel.WARN, Map.of("io.flux.media.rest", LogLevel.DEBUG, "org.eclipse.jetty", LogLevel.ERROR));

        assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.flux.media.rest").getLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("io.flux.media.rest.internal").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.ERROR);

        control.apply(LogLevel.INFO, Map.of("org.eclipse.jetty", LogLevel.WARN));

        assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.flux.media.rest").getLevel()).as("removed entry inherits again").isNull();
        assertThat(context.getLogger("io.flux.media.rest").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void consolePatternReplacesExistingConsoleAppenderOnce() {
        ConsoleAppender<ILoggingEvent> stock = new ConsoleAppender<>();
        stock.setContext(context);
        stock.setName("console");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        stock.setEncoder(encoder);
        stock.start();
        context.getLogger("ROOT").addAppender(stock);
        LogbackControl control = new LogbackControl(context);

        control.useConsolePattern();
        control.useConsolePattern();

        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        context.getLogger("ROOT").iteratorForAppenders().forEachRemaining(appenders::add);
        assertThat(appenders).extracting(Appender::getName).containsExactly(LogbackControl.APPENDER_NAME);
        ConsoleAppender<ILoggingEvent> installed = (ConsoleAppender<ILoggingEvent>) appenders.get(0);
        assertThat(((PatternLayoutEncoder) installed.getEncoder()).getPattern()).isEqualTo(LogControl.CONSOLE_PATTERN)
                .contains("%X");
        assertThat(stock.isStarted()).isFalse();
    }

    @Test
    void detectsLogbackAndFallsBackForOtherBindings() {
        assertThat(LogControl.forFactory(context).supported()).isTrue();

        ILoggerFactory other = name -> org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        LogControl fallback = LogControl.forFactory(other);
        assertThat(fallback.supported()).isFalse();
        fallback.apply(LogLevel.DEBUG, Map.of()); // must not throw
    }
}
