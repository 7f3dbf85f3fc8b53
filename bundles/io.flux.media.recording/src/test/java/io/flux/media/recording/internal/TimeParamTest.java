package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.flux.media.api.rest.ApiException;

class TimeParamTest {

    @Test
    void isoInstantsOffsetsAndEpochMillis() {
        assertThat(TimeParam.parse("t", "2023-11-14T22:13:20Z", 0)).isEqualTo(1_700_000_000_000L);
        assertThat(TimeParam.parse("t", "2023-11-14T22:13:20.5Z", 0)).isEqualTo(1_700_000_000_500L);
        assertThat(TimeParam.parse("t", "2023-11-14T23:13:20+01:00", 0)).isEqualTo(1_700_000_000_000L);
        assertThat(TimeParam.parse("t", "1700000000000", 0)).isEqualTo(1_700_000_000_000L);
        assertThat(TimeParam.parse("t", " 42 ", 0)).isEqualTo(42);
        assertThat(TimeParam.parse("t", null, 7)).isEqualTo(7);
        assertThat(TimeParam.parse("t", "  ", 7)).isEqualTo(7);
    }

    @Test
    void anythingElseIsA400NamingTheParameter() {
        for (String bad : new String[] {"yesterday", "2023-11-14", "2023-13-01T00:00:00Z", "1e12",
            "12345678901234567890", "2023-11-14T22:13:20"}) {
            assertThatThrownBy(() -> TimeParam.parse("from", bad, 0)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("'from'");
                    });
        }
    }
}
