package io.flux.media.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flux.media.api.metrics.MetricsRegistry.Counter;
import io.flux.media.api.metrics.MetricsRegistry.Gauge;
import io.flux.media.api.metrics.MetricsRegistry.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

class PrometheusMetricsRegistryTest {

    private final PrometheusMetricsRegistry registry = new PrometheusMetricsRegistry();

    private String text() {
        return PrometheusTextFormatWriter.create().toDebugString(registry.scrape());
    }

    @Test
    void sameNameTypeAndLabelsReturnsTheExistingMetric() {
        Counter first = registry.counter("requests_total", "Requests.", "method");
        Counter again = registry.counter("requests_total", "Other help text is ignored.", "method");
        Counter withoutSuffix = registry.counter("requests", "Requests.", "method");

        assertThat(again).isSameAs(first);
        assertThat(withoutSuffix).isSameAs(first);

        first.inc("GET");
        again.inc(2, "GET");
        assertThat(text()).contains("requests_total{method=\"GET\"} 3.0");

        Gauge gauge = registry.gauge("queue_depth", "Depth.");
        assertThat(registry.gauge("queue_depth", "Depth.")).isSameAs(gauge);
        Histogram histogram = registry.histogram("latency_seconds", "Latency.", new double[] {0.1, 1});
        assertThat(registry.histogram("latency_seconds", "Latency.", new double[] {0.1, 1})).isSameAs(histogram);
    }

    @Test
    void sameNameWithAnotherTypeIsRefusedNamingTheClash() {
        registry.counter("sessions_total", "Sessions.");

        assertThatThrownBy(() -> registry.gauge("sessions", "Sessions."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sessions'")
                .hasMessageContaining("counter 'sessions_total'")
                .hasMessageContaining("gauge");
        assertThatThrownBy(() -> registry.histogram("sessions", "Sessions.", new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("histogram");
    }

    @Test
    void sameNameWithOtherLabelsIsRefusedNamingTheClash() {
        registry.gauge("streams", "Streams.", "protocol");

        assertThatThrownBy(() -> registry.gauge("streams", "Streams.", "protocol", "node"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'streams'")
                .hasMessageContaining("[protocol]")
                .hasMessageContaining("[protocol, node]");
        assertThatThrownBy(() -> registry.gauge("streams", "Streams."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[]");
    }

    @Test
    void labelOrderIsPartOfTheSchema() {
        registry.counter("bytes_total", "Bytes.", "direction", "protocol");

        assertThatThrownBy(() -> registry.counter("bytes_total", "Bytes.", "protocol", "direction"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void seriesNamesThatWouldCollideAreRefused() {
        registry.histogram("request_seconds", "Latency.", new double[] {1});

        assertThatThrownBy(() -> registry.gauge("request_seconds_count", "Count."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("histogram 'request_seconds'")
                .hasMessageContaining("'request_seconds_count'");
        assertThatThrownBy(() -> registry.counter("request_seconds_sum_total", "Sum."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'request_seconds_sum'");

        registry.gauge("disk_free_count", "Free.");
        assertThatThrownBy(() -> registry.histogram("disk_free", "Free.", new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gauge 'disk_free_count'");
        // Nothing half-registered stays behind after a refusal.
        assertThat(registry.scrape().stream().map(s -> s.getMetadata().getPrometheusName()))
                .containsExactlyInAnyOrder("request_seconds", "disk_free_count");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1abc", "with-dash", "with.dot", "with:colon", "__reserved", "spa ce", "ünïcode",
        "x_created", "x_bucket", "x_info", "x_total"})
    void invalidGaugeNamesAreRefused(String name) {
        assertThatThrownBy(() -> registry.gauge(name, "Help."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid metric name");
    }

    @Test
    void nullNameAndBareTotalAreRefused() {
        assertThatThrownBy(() -> registry.counter(null, "Help.")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.counter("_total", "Help."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid metric name");
        assertThatThrownBy(() -> registry.counter("x_created_total", "Help."))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidLabelNamesAreRefused() {
        assertThatThrownBy(() -> registry.gauge("g", "Help.", "a", "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Duplicate label name 'a'");
        assertThatThrownBy(() -> registry.gauge("g", "Help.", "__name"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.gauge("g", "Help.", "1x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.gauge("g", "Help.", (String) null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {1}, "le"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'le'");
        // "le" is only special for histograms.
        assertThatCode(() -> registry.gauge("g", "Help.", "le")).doesNotThrowAnyException();
    }

    @Test
    void labelValuesMustMatchTheLabelNames() {
        Counter counter = registry.counter("events_total", "Events.", "type");

        assertThatThrownBy(() -> counter.inc()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("events_total")
                .hasMessageContaining("[type]");
        assertThatThrownBy(() -> counter.inc("a", "b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counter.inc((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'type'");
        assertThatThrownBy(() -> counter.inc(-1, "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counter.inc(Double.NaN, "a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removeForgetsOneLabelledSeries() {
        Counter counter = registry.counter("frames_total", "Frames.", "stream");
        Gauge gauge = registry.gauge("bitrate_bps", "Bitrate.", "stream");
        Histogram histogram = registry.histogram("gop_frames", "GOP size.", new double[] {10, 50}, "stream");
        for (String stream : new String[] {"cam1", "cam2"}) {
            counter.inc(5, stream);
            gauge.set(1000, stream);
            histogram.observe(25, stream);
        }

        counter.remove("cam1");
        gauge.remove("cam1");
        histogram.remove("cam1");

        String text = text();
        assertThat(text).doesNotContain("cam1")
                .contains("frames_total{stream=\"cam2\"} 5.0")
                .contains("bitrate_bps{stream=\"cam2\"} 1000.0")
                .contains("gop_frames_count{stream=\"cam2\"} 1");
        // Removing an unknown series is harmless.
        assertThatCode(() -> counter.remove("never-seen")).doesNotThrowAnyException();
    }

    @Test
    void histogramUsesTheGivenBuckets() {
        Histogram histogram = registry.histogram("segment_seconds", "Segment duration.", new double[] {0.5, 1, 2.5});
        histogram.observe(0.2);
        histogram.observe(0.7);
        histogram.observe(2);
        histogram.observe(9);

        assertThat(text()).contains(
                "segment_seconds_bucket{le=\"0.5\"} 1",
                "segment_seconds_bucket{le=\"1.0\"} 2",
                "segment_seconds_bucket{le=\"2.5\"} 3",
                "segment_seconds_bucket{le=\"+Inf\"} 4",
                "segment_seconds_count 4",
                "segment_seconds_sum 11.9",
                "# TYPE segment_seconds histogram")
                // classic only: no other bounds than the given ones
                .doesNotContainPattern("segment_seconds_bucket\\{le=\"(0\\.1|5\\.0|10\\.0)\"\\}");
    }

    @Test
    void histogramBucketsAreValidated() {
        assertThatThrownBy(() -> registry.histogram("h", "Help.", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {2, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {Double.NEGATIVE_INFINITY, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("h", "Help.", new double[] {1, Double.POSITIVE_INFINITY, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> registry.histogram("h", "Help.", new double[] {1, Double.POSITIVE_INFINITY}))
                .doesNotThrowAnyException();
        // Explicit +Inf and implicit +Inf are the same buckets.
        assertThat(registry.histogram("h", "Help.", new double[] {1})).isNotNull();
        assertThat(text()).containsOnlyOnce("h_bucket{le=\"+Inf\"}");
    }

    @Test
    void unregisterRemovesTheMetricAndFreesTheName() {
        Counter counter = registry.counter("jobs_total", "Jobs.");
        counter.inc();
        registry.gauge("workers", "Workers.").set(3);

        registry.unregister("jobs_total");
        assertThat(text()).doesNotContain("jobs_total").contains("workers 3.0");

        // The name is free again, even for another type.
        registry.gauge("jobs", "Jobs now a gauge.").set(7);
        assertThat(text()).contains("jobs 7.0");

        // A counter can be unregistered by either spelling.
        registry.counter("restarts", "Restarts.").inc();
        registry.unregister("restarts");
        assertThat(text()).doesNotContain("restarts_total");

        assertThatCode(() -> registry.unregister("absent")).doesNotThrowAnyException();
        assertThatCode(() -> registry.unregister(null)).doesNotThrowAnyException();
        // A gauge is not found under a _total alias.
        registry.unregister("workers_total");
        assertThat(text()).contains("workers 3.0");
    }

    @Test
    void reservedPrefixesAreRefused() {
        registry.reservePrefix("jvm_", "JVM");

        assertThatThrownBy(() -> registry.gauge("jvm_threads_current", "Mine."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'jvm_threads_current'")
                .hasMessageContaining("prefix 'jvm_', reserved for the built-in JVM metrics");
        assertThatThrownBy(() -> registry.counter("jvm_anything_total", "Mine."))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.histogram("jvm_x", "Mine.", new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> registry.gauge("flux_jvm_like", "Not a prefix match.")).doesNotThrowAnyException();
    }

    @Test
    void metricsWithoutLabelsWork() {
        registry.counter("ticks_total", "Ticks.").inc(2);
        registry.gauge("temperature_celsius", "Temperature.").set(-3.5);

        assertThat(text()).contains("ticks_total 2.0", "temperature_celsius -3.5", "# HELP ticks_total Ticks.");
    }
}
