package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.snapshot.SnapshotMode;

class SnapshotParamsTest {

    @Test
    void defaultsAreAutoSourceSizeAndConfiguredAgeAndTimeout() {
        SnapshotEngine.Query q = SnapshotParams.parse("gb28181/3402/1310", null, null, null, null, null, 7680);
        assertThat(q.stream().value()).isEqualTo("gb28181/3402/1310");
        assertThat(q.mode()).isEqualTo(SnapshotMode.AUTO);
        assertThat(q.maxAge()).isNull();
        assertThat(q.timeout()).isNull();
        assertThat(q.width()).isZero();
        assertThat(q.height()).isZero();
    }

    @Test
    void parsesEveryParameter() {
        SnapshotEngine.Query q = SnapshotParams.parse("rtsp/cam/live", "DeCoDe", "0", "2500", "640", " 360 ", 7680);
        assertThat(q.mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(q.maxAge()).isEqualTo(Duration.ZERO);
        assertThat(q.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(q.width()).isEqualTo(640);
        assertThat(q.height()).isEqualTo(360);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "rtsp/../x|null|null|null|null|null|id|invalid stream id",
            "nocamera|null|null|null|null|null|id|invalid stream id",
            "rtsp/cam|thumbnail|null|null|null|null|mode|must be one of auto, keyframe, decode",
            "rtsp/cam|null|soon|null|null|null|max_age_ms|must be a whole number",
            "rtsp/cam|null|-1|null|null|null|max_age_ms|between 0 and",
            "rtsp/cam|null|null|0|null|null|timeout_ms|between 1 and",
            "rtsp/cam|null|null|1.5|null|null|timeout_ms|whole number",
            "rtsp/cam|null|null|null|-1|null|width|between 0 and 7680",
            "rtsp/cam|null|null|null|7681|null|width|between 0 and 7680",
            "rtsp/cam|null|null|null|99999999999999999999|null|width|whole number",
            "rtsp/cam|null|null|null|null|wide|height|whole number" })
    void refusesBadInputNamingTheParameter(String id, String mode, String maxAge, String timeout, String width,
            String height, String parameter, String message) {
        assertThatThrownBy(() -> SnapshotParams.parse(id, mode, maxAge, timeout, width, height, 7680))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.details()).containsEntry("parameter", parameter);
                })
                .hasMessageContaining(message);
    }
}
