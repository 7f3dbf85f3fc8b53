package io.flux.media.storage.nas.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "gb28181/dev/ch/segments/000123.mp4", "a-b_c.d/e f", ".hidden", "a.tmp-x" })
    void acceptsPlainRelativeKeys(String key) {
        assertThat(Keys.requireValidKey(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/abs", "C:/x", "a//b", "a/", "../x", "a/../b", "./a", "a\\b", "a\u0000b", "a\nb",
            "a:b", "a*b", "a?b", "a|b", "a<b", "a>b", "a\"b", "dir./x", "x ",
            ".seg.mp4.tmp-123e4567-e89b-12d3-a456-426614174000" })
    void refusesUnsafeKeys(String key) {
        assertThatThrownBy(() -> Keys.requireValidKey(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid storage key");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "a/", "a/b", "a/partial" })
    void acceptsPrefixes(String prefix) {
        assertThat(Keys.requireValidPrefix(prefix)).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/a", "a//", "../" })
    void refusesBadPrefixes(String prefix) {
        assertThatThrownBy(() -> Keys.requireValidPrefix(prefix)).isInstanceOf(IllegalArgumentException.class);
    }
}
