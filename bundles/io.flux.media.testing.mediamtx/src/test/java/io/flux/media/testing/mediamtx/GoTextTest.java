package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class GoTextTest {

    @Test
    void timesAreRfc3339NanoWithTrailingZerosTrimmed() {
        assertThat(GoText.time(Instant.parse("2025-03-01T10:00:00Z"))).isEqualTo("2025-03-01T10:00:00Z");
        assertThat(GoText.time(Instant.parse("2025-03-01T10:00:00.120Z"))).isEqualTo("2025-03-01T10:00:00.12Z");
        assertThat(GoText.time(Instant.parse("2025-03-01T10:00:00.000000001Z")))
                .isEqualTo("2025-03-01T10:00:00.000000001Z");
        assertThat(GoText.parseTime("2025-03-01T12:00:00+02:00")).isEqualTo(Instant.parse("2025-03-01T10:00:00Z"));
        assertThat(GoText.parseTime("2025-03-01 10:00")).isNull();
    }

    @Test
    void floatsAreWrittenLikeGo() {
        assertThat(GoText.seconds(3600.0)).isEqualTo("3600");
        assertThat(GoText.seconds(1.5)).isEqualTo("1.5");
        assertThat(GoText.jsonSeconds(Duration.ofMillis(250)).toString()).isEqualTo("0.25");
    }

    @Test
    void playbackDurationsAreSecondsOrGoDurations() {
        assertThat(GoText.parsePlaybackDuration("200.5")).isEqualTo(Duration.ofMillis(200_500));
        assertThat(GoText.parsePlaybackDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoText.parsePlaybackDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(GoText.parsePlaybackDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoText.parsePlaybackDuration("abc")).isNull();
        assertThat(GoText.parsePlaybackDuration("1x")).isNull();
        assertThat(GoText.parsePlaybackDuration("")).isNull();
    }
}
