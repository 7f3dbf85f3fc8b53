package io.flux.media.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoggerLevelsTest {

    @Test
    void parsesValidEntriesAndSetsInvalidOnesAside() {
        LoggerLevels parsed = LoggerLevels.parse(new String[] {
                "io.flux.media.rest=DEBUG", " org.eclipse.jetty = warn ", "no-equals-sign", "=INFO",
                "io.flux=LOUD", "", "has space=INFO", "io.flux.media.rest=TRACE" });

        assertThat(parsed.levels()).containsExactly(
                org.assertj.core.api.Assertions.entry("io.flux.media.rest", LogLevel.TRACE),
                org.assertj.core.api.Assertions.entry("org.eclipse.jetty", LogLevel.WARN));
        assertThat(parsed.invalid()).containsExactly("no-equals-sign", "=INFO", "io.flux=LOUD", "has space=INFO");
    }

    @Test
    void nullMeansNoEntries() {
        LoggerLevels parsed = LoggerLevels.parse(null);
        assertThat(parsed.levels()).isEmpty();
        assertThat(parsed.invalid()).isEmpty();
    }
}
