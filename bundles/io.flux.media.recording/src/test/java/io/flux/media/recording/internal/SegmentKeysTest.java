package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.flux.media.api.stream.StreamId;

class SegmentKeysTest {

    static final StreamId ID = StreamId.of("gb28181/34020000001320000001/34020000001310000001");

    @Test
    void keysFollowTheStorageLayout() {
        assertThat(SegmentKeys.key(ID, 1_700_000_000_000L, 3)).isEqualTo(
                "gb28181/34020000001320000001/34020000001310000001/segments/20231114/1700000000000-3.mp4");
        assertThat(SegmentKeys.prefix(ID)).isEqualTo("gb28181/34020000001320000001/34020000001310000001/segments/");
    }

    @Test
    void parsingInvertsKey() {
        String key = SegmentKeys.key(ID, 1_700_000_000_000L, 3);
        SegmentKeys.Parsed p = SegmentKeys.parse(key).orElseThrow();
        assertThat(p.stream()).isEqualTo(ID);
        assertThat(p.startMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(p.sequence()).isEqualTo(3);
        assertThat(p.name()).isEqualTo("1700000000000-3");
        // A stream whose name contains "segments" still parses.
        String odd = SegmentKeys.key(StreamId.of("rtsp/segments/x"), 0, 0);
        assertThat(SegmentKeys.parse(odd).orElseThrow().stream().value()).isEqualTo("rtsp/segments/x");
    }

    @Test
    void foreignKeysAreNotSegments() {
        assertThat(SegmentKeys.parse("rtsp/cam/snapshots/1.jpg")).isEmpty();
        assertThat(SegmentKeys.parse("rtsp/cam/segments/20231114/1700000000000-3.mp4.tmp")).isEmpty();
        assertThat(SegmentKeys.parse("rtsp/cam/segments/20231115/1700000000000-3.mp4")).isEmpty(); // wrong day
        assertThat(SegmentKeys.parse("cam/../segments/19700101/0-0.mp4")).isEmpty();
        assertThat(SegmentKeys.parse("segments/19700101/0-0.mp4")).isEmpty();
    }

    @Test
    void namesMapToKeys() {
        assertThat(SegmentKeys.keyOfName(ID, "1700000000000-3")).contains(SegmentKeys.key(ID, 1_700_000_000_000L, 3));
        assertThat(SegmentKeys.keyOfName(ID, "1700000000000-3.mp4")).contains(SegmentKeys.key(ID, 1_700_000_000_000L,
                3));
        assertThat(SegmentKeys.keyOfName(ID, "../../x")).isEmpty();
        assertThat(SegmentKeys.keyOfName(ID, "locate")).isEmpty();
        assertThat(SegmentKeys.keyOfName(ID, "1-2-3")).isEmpty();
    }
}
