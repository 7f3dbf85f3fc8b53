package io.flux.media.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.flux.media.api.ingest.MediaSink.StreamHandle;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.Configs;
import jakarta.ws.rs.Path;

class StreamsResourceTest {

    /** As the REST application configures Jackson. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private final TestClock clock = new TestClock(1_700_000_000_000L);
    private final MediaCore core = new MediaCore(Configs.defaults(MediaCore.Config.class), clock, false);
    private final StreamsResource resource = new StreamsResource(core);

    @AfterEach
    void tearDown() {
        core.deactivate();
    }

    @Test
    void listsStreamsWithTheirFormats() throws Exception {
        StreamHandle h = core.open(StreamId.of("rtsp/cam-1/main"), "rtsp");
        h.push(Samples.keyframe(0, true, 1000));
        clock.advance(40);
        h.push(Samples.adts(0, 100));
        clock.advance(40);
        h.push(Samples.frame(Samples.FRAME, 500));
        core.open(StreamId.of("gb28181/34020000001320000001/34020000001310000001"), "gb28181");

        List<StreamView> all = resource.list(null, null);

        assertThat(all).extracting(StreamView::id)
                .containsExactly("gb28181/34020000001320000001/34020000001310000001", "rtsp/cam-1/main");
        @SuppressWarnings("unchecked")
        Map<String, Object> live = JSON.readValue(JSON.writeValueAsString(all.get(1)), Map.class);
        assertThat(live).containsEntry("id", "rtsp/cam-1/main").containsEntry("protocol", "rtsp")
                .containsEntry("state", "live").containsEntry("codec", "h264").containsEntry("width", 320)
                .containsEntry("height", 240).containsEntry("profile", "Constrained Baseline")
                .containsEntry("samples", 3).containsEntry("gops_dropped", 0)
                .containsEntry("audio_codec", "aac").containsEntry("audio_sample_rate", 48000)
                .containsEntry("audio_channels", 2)
                .containsEntry("started_at", "2023-11-14T22:13:20Z")
                .containsEntry("last_sample_at", "2023-11-14T22:13:20.080Z")
                .containsEntry("last_keyframe_at", "2023-11-14T22:13:20Z")
                .containsKeys("frame_rate", "bitrate_bps");
        @SuppressWarnings("unchecked")
        Map<String, Object> starting = JSON.readValue(JSON.writeValueAsString(all.get(0)), Map.class);
        assertThat(starting).containsEntry("state", "starting").doesNotContainKeys("codec", "width",
                "last_keyframe_at", "audio_codec");
    }

    @Test
    void filtersByProtocolAndState() {
        StreamHandle h = core.open(StreamId.of("rtsp/cam-1"), "rtsp");
        h.push(Samples.keyframe(0, true, 100));
        core.open(StreamId.of("rtsp/cam-2"), "rtsp");
        core.open(StreamId.of("replay/demo"), "replay");

        assertThat(resource.list("rtsp", null)).extracting(StreamView::id).containsExactly("rtsp/cam-1",
                "rtsp/cam-2");
        assertThat(resource.list(null, "live")).extracting(StreamView::id).containsExactly("rtsp/cam-1");
        assertThat(resource.list("replay", "STARTING")).extracting(StreamView::id).containsExactly("replay/demo");
        assertThatThrownBy(() -> resource.list(null, "sleeping")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void getsOneStream() {
        core.open(StreamId.of("rtsp/cam-1/main"), "rtsp");

        assertThat(resource.get("rtsp/cam-1/main").state()).isEqualTo("starting");
        assertThatThrownBy(() -> resource.get("rtsp/cam-9")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> resource.get("rtsp/../etc")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("'.' and '..'");
        });
        assertThatThrownBy(() -> resource.get("nocamera")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    /**
     * The id template as Jersey matches it against the path after {@code streams}: {@code /(regex)(/)?}, the
     * whole remaining path. Paths other bundles serve must not match, so that their resources get them (and a
     * missing bundle means 404, not "unknown stream").
     */
    @Test
    void idTemplateLeavesOtherBundlesSubResourcesAlone() throws Exception {
        String template = StreamsResource.class.getMethod("get", String.class).getAnnotation(Path.class).value();
        assertThat(template).isEqualTo("{id: " + StreamsResource.ID_REGEX + "}");
        Pattern jersey = Pattern.compile("/(" + StreamsResource.ID_REGEX + ")(/)?");

        for (String id : List.of("rtsp/cam-1", "gb28181/3402/3402", "rtsp/host/snapshots", "rtsp/snapshot.d/x",
                "replay/recordings", "rtsp/record/begin", "x/y/z/w")) {
            var m = jersey.matcher("/" + id);
            assertThat(m.matches()).as(id).isTrue();
            assertThat(m.group(1)).isEqualTo(id);
        }
        for (String path : List.of("rtsp/cam-1/snapshot", "rtsp/cam-1/snapshot/", "rtsp/cam-1/recordings",
                "rtsp/cam-1/recordings/20260101T000000Z.mp4", "gb28181/a/b/record/start", "gb28181/a/b/record/stop",
                "replay/x/recordings/", "gb28181/a/b/preview")) {
            assertThat(jersey.matcher("/" + path).matches()).as(path).isFalse();
        }
    }
}
