package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.flux.media.api.stream.StreamId;

class PathNamesTest {

    /** MediaMTX's rule (../shared/mediamtx/README.md). */
    private static final Pattern MEDIAMTX = Pattern.compile("^[0-9a-zA-Z_\\-/.]+$");

    @Test
    void gb28181StreamIdIsUsedAsIs() {
        assertThat(PathNames.of(StreamId.of("gb28181/34020000001320000001/34020000001310000001")))
                .isEqualTo("gb28181/34020000001320000001/34020000001310000001");
        assertThat(PathNames.of(StreamId.of("rtsp/cam-1.local/live_main"))).isEqualTo("rtsp/cam-1.local/live_main");
    }

    @Test
    void everyValidStreamIdGivesAValidPathName() {
        for (String id : new String[] {"a/b", "x/.../y", "p/a.b/-_-", "gb28181/3402/3402"}) {
            String name = PathNames.of(StreamId.of(id));
            assertThat(name).as(id).matches(MEDIAMTX).doesNotStartWith("/").doesNotEndWith("/");
            for (String seg : name.split("/")) {
                assertThat(seg).isNotIn("", ".", "..");
            }
        }
    }
}
