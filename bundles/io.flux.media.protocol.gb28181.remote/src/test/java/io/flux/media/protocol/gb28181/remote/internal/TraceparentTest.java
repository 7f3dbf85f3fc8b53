package io.flux.media.protocol.gb28181.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentTest {

    @Test
    void parsesValidHeadersOnly() {
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .map(Traceparent::traceId).hasValue("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(Traceparent.parse(null)).isEmpty();
        assertThat(Traceparent.parse("garbage")).isEmpty();
        assertThat(Traceparent.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isEmpty();
        assertThat(Traceparent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isEmpty();
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isEmpty();
    }

    @Test
    void createdTracesAreValidAndDistinct() {
        Traceparent a = Traceparent.create();
        Traceparent b = Traceparent.create();
        assertThat(a.header()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(Traceparent.parse(a.header())).hasValue(a);
        assertThat(a.traceId()).isNotEqualTo(b.traceId());
        assertThat(a.child().traceId()).isEqualTo(a.traceId());
    }
}
