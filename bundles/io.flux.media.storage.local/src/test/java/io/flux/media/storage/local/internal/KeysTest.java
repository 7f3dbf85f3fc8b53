package io.flux.media.storage.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "gb28181/dev/ch/segments/000123.mp4", "rtsp/cam-1.local/live/keyframes/x.h264",
            ".hidden", "a/.b/c", "a..b" })
    void acceptsRelativeKeys(String key) {
        assertThat(Keys.requireValidKey(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "../etc/passwd|'..' segments",
            "a/../../b|'..' segments",
            "a/..|'..' segments",
            "/etc/passwd|absolute",
            "a//b|empty segment",
            "a/b/|empty segment",
            "a\\..\\b|backslash",
            "./a|'.' segments",
            "C:/x|drive path",
            "a/.b.tmp-123e4567-e89b-12d3-a456-426614174000|reserved for temporary files" })
    void refusesKeysNamingTheProblem(String key, String problem) {
        assertThatThrownBy(() -> Keys.requireValidKey(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @org.junit.jupiter.api.Test
    void refusesNulControlEmptyAndOverlongKeys() {
        assertThatThrownBy(() -> Keys.requireValidKey("a/b\0c")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> Keys.requireValidKey("a/b\nc")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Keys.requireValidKey("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Keys.requireValidKey(null)).hasMessageContaining("empty");
        assertThatThrownBy(() -> Keys.requireValidKey("a/" + "x".repeat(201))).hasMessageContaining("segment longer");
        assertThatThrownBy(() -> Keys.requireValidKey("a/".repeat(600))).hasMessageContaining("longer than");
    }

    @org.junit.jupiter.api.Test
    void prefixesMayBeEmptyOrEndInSlashButNotEscape() {
        assertThat(Keys.requireValidPrefix(null)).isEmpty();
        assertThat(Keys.requireValidPrefix("")).isEmpty();
        assertThat(Keys.requireValidPrefix("a/b/")).isEqualTo("a/b/");
        assertThat(Keys.requireValidPrefix("a/b/seg-00")).isEqualTo("a/b/seg-00");
        assertThatThrownBy(() -> Keys.requireValidPrefix("/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.requireValidPrefix("../")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> Keys.requireValidPrefix("/abs/")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Keys.requireValidPrefix("a//")).hasMessageContaining("empty segment");
    }
}
