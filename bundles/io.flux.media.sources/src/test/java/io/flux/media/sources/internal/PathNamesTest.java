package io.flux.media.sources.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathNamesTest {

    @Test
    void keepsAsciiLettersDigitsDashAndUnderscore() {
        assertThat(PathNames.slug("Front_Door-2")).isEqualTo("Front_Door-2");
    }

    @Test
    void turnsSpacesIntoOneDashAndDropsTheRest() {
        assertThat(PathNames.slug("Lobby Camera 1")).isEqualTo("Lobby-Camera-1");
        assertThat(PathNames.slug("  gate   east \t ")).isEqualTo("gate-east");
        assertThat(PathNames.slug("a / b # c ? d .. e")).isEqualTo("a-b-c-d-e");
        assertThat(PathNames.slug("../../etc/passwd")).isEqualTo("etcpasswd");
    }

    @Test
    void chineseKeepsOnlyTheAsciiPartOrBecomesStream() {
        assertThat(PathNames.slug("大门摄像头")).isEqualTo("stream");
        assertThat(PathNames.slug("大门 camera 2号")).isEqualTo("camera-2");
    }

    @Test
    void nothingLeftGivesStream() {
        assertThat(PathNames.slug("")).isEqualTo("stream");
        assertThat(PathNames.slug("   ")).isEqualTo("stream");
        assertThat(PathNames.slug("/ # ? ..")).isEqualTo("stream");
        assertThat(PathNames.slug("🎥📷")).isEqualTo("stream");
        assertThat(PathNames.slug(null)).isEqualTo("stream");
    }

    @Test
    void isCappedAt48Characters() {
        String slug = PathNames.slug("x".repeat(500));
        assertThat(slug).hasSize(PathNames.MAX_SLUG);
        // A space right at the cap does not leave a trailing dash.
        assertThat(PathNames.slug("y".repeat(47) + " z")).isEqualTo("y".repeat(47));
    }

    @ParameterizedTest
    @ValueSource(strings = {"大门摄像头", "/ # ? ..", "", "..", ".", "a/b", "Lobby Camera 1", "x\u0000y",
            "name with % and & and = and +", "very long name that goes on and on and on and on and on and on and on"})
    void generatedNamesAreValidMediaMtxPathNamesUnderLive(String name) {
        String path = PathNames.generate(name);
        assertThat(path).matches("live/[0-9A-Za-z_-]{1,48}-[0-9a-f]{8}");
        assertThat(FakeStreamingServer.validName(path)).isTrue();
        assertThat(path.length()).isLessThanOrEqualTo(62);
        assertThat(path).isNotEqualTo("live/" + PathNames.slug(name));
    }

    @Test
    void twoSourcesWithTheSameNameGetDifferentPathNames() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(PathNames.generate("Lobby"))).isTrue();
        }
        assertThat(seen).allMatch(p -> p.startsWith("live/Lobby-"));
    }
}
