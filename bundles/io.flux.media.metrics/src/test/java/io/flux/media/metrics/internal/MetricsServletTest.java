package io.flux.media.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.flux.media.api.security.Authenticator;
import io.flux.media.testing.Configs;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

class MetricsServletTest {

    private static final String UNAUTHORIZED_BODY = "{\"error\":{\"status\":401,\"code\":\"unauthorized\","
            + "\"message\":\"A bearer token granting the viewer or admin role is required.\"}}";

    private final MetricsScraper scraper = () -> new MetricSnapshots(GaugeSnapshot.builder()
            .name("flux_probe")
            .help("Probe.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(42).build())
            .build());

    private MetricsServlet servlet(boolean open) {
        MetricsServlet servlet = new MetricsServlet(scraper, Configs.of(MetricsServlet.Config.class, Map.of("public$", open)));
        servlet.bindAuthenticator(new FakeHttp.Tokens());
        return servlet;
    }

    private static FakeHttp.Response call(MetricsServlet servlet, String method, String authorization) throws Exception {
        FakeHttp.Response response = new FakeHttp.Response();
        servlet.service(FakeHttp.request(method, authorization), response.proxy());
        return response;
    }

    private static void assertUnauthorized(FakeHttp.Response response) {
        assertThat(response.status).isEqualTo(401);
        assertThat(response.headers).containsEntry("WWW-Authenticate", "Bearer");
        assertThat(response.contentTypeHeader()).isEqualTo("application/json;charset=UTF-8");
        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
        assertThat(response.body()).doesNotContain("flux_probe");
    }

    @Test
    void defaultsToProtected() throws Exception {
        assertThat(Configs.defaults(MetricsServlet.Config.class).public$()).isFalse();
        assertUnauthorized(call(new MetricsServlet(scraper, Configs.defaults(MetricsServlet.Config.class)), "GET", null));
    }

    @Test
    void refusesRequestsWithoutAValidToken() throws Exception {
        MetricsServlet servlet = servlet(false);

        assertUnauthorized(call(servlet, "GET", null));
        assertUnauthorized(call(servlet, "GET", "Bearer wrong"));
        assertUnauthorized(call(servlet, "GET", "Basic dmlld2VyLXRva2Vu"));
        assertUnauthorized(call(servlet, "HEAD", null));
        assertUnauthorized(call(servlet, "POST", null));
    }

    @Test
    void servesTheTextFormatToViewersAndAdmins() throws Exception {
        MetricsServlet servlet = servlet(false);

        for (String token : new String[] {"viewer-token", "admin-token"}) {
            FakeHttp.Response response = call(servlet, "GET", "Bearer " + token);

            assertThat(response.status).isEqualTo(200);
            assertThat(response.contentTypeHeader()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body()).contains("# TYPE flux_probe gauge", "flux_probe 42.0");
            assertThat(response.contentLength).isEqualTo(response.body.size());
        }
    }

    @Test
    void publicModeNeedsNoTokenAndNoAuthenticator() throws Exception {
        MetricsServlet servlet = new MetricsServlet(scraper, Configs.of(MetricsServlet.Config.class, Map.of("public$", true)));

        FakeHttp.Response response = call(servlet, "GET", null);

        assertThat(response.status).isEqualTo(200);
        assertThat(response.body()).contains("flux_probe 42.0");
    }

    @Test
    void publicIsAppliedLive() throws Exception {
        MetricsServlet servlet = servlet(false);
        assertUnauthorized(call(servlet, "GET", null));

        servlet.modified(Configs.of(MetricsServlet.Config.class, Map.of("public$", true)));
        assertThat(call(servlet, "GET", null).status).isEqualTo(200);

        servlet.modified(Configs.of(MetricsServlet.Config.class, Map.of("public$", false)));
        assertUnauthorized(call(servlet, "GET", null));
    }

    @Test
    void withoutAnAuthenticatorEveryTokenIsRefused() throws Exception {
        MetricsServlet servlet = new MetricsServlet(scraper, Configs.defaults(MetricsServlet.Config.class));

        assertUnauthorized(call(servlet, "GET", "Bearer viewer-token"));
    }

    @Test
    void keepsTheNewAuthenticatorWhenTheOldOneIsUnboundAfterAGreedyReplacement() throws Exception {
        MetricsServlet servlet = new MetricsServlet(scraper, Configs.defaults(MetricsServlet.Config.class));
        Authenticator old = new FakeHttp.Tokens();
        Authenticator replacement = new FakeHttp.Tokens();
        servlet.bindAuthenticator(old);
        servlet.bindAuthenticator(replacement);
        servlet.unbindAuthenticator(old);

        assertThat(call(servlet, "GET", "Bearer viewer-token").status).isEqualTo(200);

        servlet.unbindAuthenticator(replacement);
        assertUnauthorized(call(servlet, "GET", "Bearer viewer-token"));
    }

    @Test
    void headSendsTheHeadersWithoutABody() throws Exception {
        FakeHttp.Response response = call(servlet(false), "HEAD", "Bearer viewer-token");

        assertThat(response.status).isEqualTo(200);
        assertThat(response.contentTypeHeader()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.contentLength).isPositive();
        assertThat(response.body.size()).isZero();
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
            FakeHttp.Response response = call(servlet(false), method, "Bearer admin-token");

            assertThat(response.status).as(method).isEqualTo(405);
            assertThat(response.headers).containsEntry("Allow", "GET, HEAD");
            assertThat(response.body()).startsWith("{\"error\":{\"status\":405,\"code\":\"method_not_allowed\",\"message\":\"")
                    .contains(method);
        }
    }

    @Test
    void aFailingScrapeAnswers500WithTheErrorShape() throws Exception {
        MetricsServlet servlet = new MetricsServlet(() -> {
            throw new IllegalStateException("collector broke");
        }, Configs.of(MetricsServlet.Config.class, Map.of("public$", true)));

        FakeHttp.Response response = call(servlet, "GET", null);

        assertThat(response.status).isEqualTo(500);
        assertThat(response.body()).isEqualTo(
                "{\"error\":{\"status\":500,\"code\":\"internal_error\",\"message\":\"Collecting metrics failed.\"}}");
    }
}
