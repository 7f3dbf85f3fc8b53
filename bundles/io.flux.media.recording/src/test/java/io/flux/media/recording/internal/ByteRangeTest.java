package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    static final long SIZE = 1000;

    private static ByteRange r(String header) {
        return ByteRange.parse(header, SIZE);
    }

    private static void partial(String header, long first, long last) {
        ByteRange r = r(header);
        assertThat(r.kind()).as(header).isEqualTo(ByteRange.Kind.PARTIAL);
        assertThat(r.first()).as(header).isEqualTo(first);
        assertThat(r.last()).as(header).isEqualTo(last);
    }

    @Test
    void satisfiableRanges() {
        partial("bytes=0-499", 0, 499);
        partial("bytes=500-", 500, 999);
        partial("bytes=-200", 800, 999);
        partial("bytes=-5000", 0, 999); // a suffix longer than the file is the whole file
        partial("bytes=900-5000", 900, 999); // the end is clamped
        partial("bytes=999-999", 999, 999);
        partial("BYTES = 10-19", 10, 19);
        partial("bytes=10-99999999999999999999999", 10, 999); // saturates instead of overflowing
        assertThat(r("bytes=0-499").length()).isEqualTo(500);
        assertThat(r("bytes=0-499").contentRange(SIZE)).isEqualTo("bytes 0-499/1000");
    }

    @Test
    void unsatisfiableRanges() {
        assertThat(r("bytes=1000-").kind()).isEqualTo(ByteRange.Kind.UNSATISFIABLE);
        assertThat(r("bytes=5000-6000").kind()).isEqualTo(ByteRange.Kind.UNSATISFIABLE);
        assertThat(r("bytes=-0").kind()).isEqualTo(ByteRange.Kind.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=0-", 0).kind()).isEqualTo(ByteRange.Kind.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=-1", 0).kind()).isEqualTo(ByteRange.Kind.UNSATISFIABLE);
    }

    @Test
    void malformedOrUnsupportedHeadersServeTheWholeFile() {
        for (String h : new String[] {null, "", "bytes", "bytes=", "items=0-1", "bytes=abc", "bytes=5-1",
            "bytes=0-1,5-6", "bytes=1-x", "bytes=--1", "bytes=-", "bytes=+1-2"}) {
            ByteRange r = r(h);
            assertThat(r.kind()).as("%s", h).isEqualTo(ByteRange.Kind.FULL);
            assertThat(r.length()).isEqualTo(SIZE);
        }
    }
}
