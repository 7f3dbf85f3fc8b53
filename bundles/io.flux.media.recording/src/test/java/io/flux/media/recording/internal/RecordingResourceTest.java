package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.stream.StreamId;

/** Request parsing of the recording endpoints (the JAX-RS runtime itself is exercised by the integration tests). */
class RecordingResourceTest {

    private static void badRequest(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void startBodies() {
        assertThat(RecordingResource.parseStartBody(null)).isEqualTo(RecordingResource.StartBody.EMPTY);
        assertThat(RecordingResource.parseStartBody(" ")).isEqualTo(RecordingResource.StartBody.EMPTY);
        assertThat(RecordingResource.parseStartBody("{}")).isEqualTo(RecordingResource.StartBody.EMPTY);
        assertThat(RecordingResource.parseStartBody("null")).isEqualTo(RecordingResource.StartBody.EMPTY);
        assertThat(RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":60}").policy())
                .isEqualTo(new SegmentPolicy(SegmentStrategy.TIME, 60));
        assertThat(RecordingResource.parseStartBody("{\"strategy\":\"SIZE\",\"value\":1048576}").policy())
                .isEqualTo(new SegmentPolicy(SegmentStrategy.SIZE, 1_048_576));
        assertThat(RecordingResource.parseStartBody("{\"value\":3,\"strategy\":\"gops\",\"priority\":2}"))
                .isEqualTo(new RecordingResource.StartBody(new SegmentPolicy(SegmentStrategy.GOPS, 3), 2));
    }

    @Test
    void priorityIsOptionalAndBounded() {
        assertThat(RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":60}").priority()).isNull();
        assertThat(RecordingResource.parseStartBody("{\"priority\":-3}"))
                .isEqualTo(new RecordingResource.StartBody(null, -3));
        badRequest(() -> RecordingResource.parseStartBody("{\"priority\":1.5}"), "'priority'");
        badRequest(() -> RecordingResource.parseStartBody("{\"priority\":5000}"), "'priority'");
        badRequest(() -> RecordingResource.parseStartBody("{\"priority\":\"high\"}"), "'priority'");
    }

    @Test
    void badStartBodiesAre400s() {
        badRequest(() -> RecordingResource.parseStartBody("{"), "must be JSON");
        badRequest(() -> RecordingResource.parseStartBody("[1]"), "JSON object");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"weekly\",\"value\":1}"), "strategy");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"time\"}"), "'value'");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":1.5}"), "'value'");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":\"60\"}"), "'value'");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":0}"), "between 1");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"size\",\"value\":1000}"), "65536");
        badRequest(() -> RecordingResource.parseStartBody("{\"value\":5}"), "strategy");
        badRequest(() -> RecordingResource.parseStartBody("{\"strategy\":\"time\",\"value\":5,\"x\":1}"),
                "unknown field 'x'");
    }

    @Test
    void streamIdsAreValidated() {
        assertThat(RecordingResource.streamId("rtsp/cam-1")).isEqualTo(StreamId.of("rtsp/cam-1"));
        badRequest(() -> RecordingResource.streamId("rtsp/../etc"), "invalid stream id");
        badRequest(() -> RecordingResource.streamId("nocamera"), "protocol");
    }

    @Test
    void limits() {
        assertThat(RecordingResource.limit(null)).isEqualTo(RecordingResource.DEFAULT_LIMIT);
        assertThat(RecordingResource.limit("5")).isEqualTo(5);
        badRequest(() -> RecordingResource.limit("0"), "'limit'");
        badRequest(() -> RecordingResource.limit("10001"), "'limit'");
        badRequest(() -> RecordingResource.limit("many"), "'limit'");
    }

    @Test
    void segmentUrlsNameTheStreamAndSegment() {
        assertThat(RecordingViews.url(StreamId.of("rtsp/cam-1"), "1700000000000-0"))
                .isEqualTo("/api/v1/streams/rtsp/cam-1/recordings/1700000000000-0");
    }
}
