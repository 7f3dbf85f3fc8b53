package io.flux.media.storage.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The full key rule set every backend (local, NAS, S3) applies. */
class StorageKeysTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "gb28181/dev/ch/segments/000123.mp4", "rtsp/cam-1.local/live/keyframes/x.h264",
            ".hidden", "a/.b/c", "a..b", "a-b_c.d/e f", "dev/ch 1/x", "a.tmp-x", "é/ü.mp4" })
    void acceptsRelativeKeys(String key) {
        assertThat(StorageKeys.requireValidKey(key)).isEqualTo(key);
        assertThat(StorageKeys.keyProblem(key)).isNull();
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
            "a/.b.tmp-123e4567-e89b-12d3-a456-426614174000|reserved for temporary files",
            // What SMB cannot store: refused on every backend so that a recording can move to a NAS.
            "C:/x|contains ':'",
            "a:b|contains ':'",
            "a*b|contains '*'",
            "a?b|contains '?'",
            "a<b|contains '<'",
            "a>b|contains '>'",
            "dir./x|ends with '.' or a space",
            "a/x.|ends with '.' or a space" })
    void refusesKeysNamingTheProblem(String key, String problem) {
        assertThatThrownBy(() -> StorageKeys.requireValidKey(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid storage key")
                .hasMessageContaining(problem);
        assertThat(StorageKeys.keyProblem(key)).contains(problem);
    }

    @Test
    void refusesPipesQuotesAndTrailingSpacesThatCsvCannotCarry() {
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a|b")).hasMessageContaining("contains '|'");
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a\"b")).hasMessageContaining("contains '\"'");
        assertThatThrownBy(() -> StorageKeys.requireValidKey("x ")).hasMessageContaining("ends with '.' or a space");
        assertThatThrownBy(() -> StorageKeys.requireValidKey("dir /x")).hasMessageContaining("ends with");
    }

    @Test
    void refusesNulControlEmptyAndOverlongKeys() {
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a/b\0c")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a/b\nc")).hasMessageContaining("control character")
                .hasMessageContaining("a/b?c");
        assertThatThrownBy(() -> StorageKeys.requireValidKey("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> StorageKeys.requireValidKey(null)).hasMessageContaining("empty");
        assertThat(StorageKeys.requireValidKey("a/" + "x".repeat(200))).hasSize(202);
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a/" + "x".repeat(201)))
                .hasMessageContaining("segment longer");
        assertThat(StorageKeys.requireValidKey("a/".repeat(511) + "bc")).hasSize(1024);
        assertThatThrownBy(() -> StorageKeys.requireValidKey("a/".repeat(511) + "bcd"))
                .hasMessageContaining("longer than 1024");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "a/", "a/b", "a/b/", "a/b/seg-00", "a/partial" })
    void acceptsPrefixesThatAreEmptyEndInSlashOrAPartialName(String prefix) {
        assertThat(StorageKeys.requireValidPrefix(prefix)).isEqualTo(prefix);
    }

    @Test
    void aNullPrefixIsEmpty() {
        assertThat(StorageKeys.requireValidPrefix(null)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/|'/' alone",
            "/a|absolute",
            "/abs/|absolute",
            "a//|empty segment",
            "../|'..'",
            "a:/|contains ':'" })
    void refusesBadPrefixes(String prefix, String problem) {
        assertThatThrownBy(() -> StorageKeys.requireValidPrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid storage prefix")
                .hasMessageContaining(problem);
    }

    @Test
    void recognisesTemporaryNames() {
        assertThat(StorageKeys.isTempName(".seg.mp4.tmp-123e4567-e89b-12d3-a456-426614174000")).isTrue();
        assertThat(StorageKeys.isTempName("seg.mp4.tmp-123e4567-e89b-12d3-a456-426614174000")).isFalse();
        assertThat(StorageKeys.isTempName(".seg.mp4.tmp-x")).isFalse();
        assertThat(StorageKeys.isTempName("seg.mp4")).isFalse();
    }
}
