package io.flux.media.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.flux.media.testing.Configs;

/**
 * The servlet inside the Jetty 12 that Felix HTTP embeds, spoken to over HTTP: checks what reaches the
 * client (header spelling, HEAD handling), which fakes cannot show.
 */
class MetricsServletJettyTest {

    private final MetricsService metrics = new MetricsService(bundleContext());
    private final MetricsServlet servlet = new MetricsServlet(metrics, Configs.defaults(MetricsServlet.Config.class));
    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;
    private URI uri;

    private static BundleContext bundleContext() {
        BundleContext context = mock(BundleContext.class);
        when(context.getBundles()).thenReturn(new Bundle[0]);
        return context;
    }

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(servlet), MetricsServlet.PATH);
        server.setHandler(context);
        server.start();
        uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + MetricsServlet.PATH);
        servlet.bindAuthenticator(new FakeHttp.Tokens());
        metrics.counter("flux_wire_requests_total", "Wire test.").inc();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        client.close();
    }

    private HttpResponse<String> send(String method, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answers401WithTheErrorShapeWithoutAToken() throws Exception {
        HttpResponse<String> response = send("GET", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(response.body()).isEqualTo("{\"error\":{\"status\":401,\"code\":\"unauthorized\","
                + "\"message\":\"A bearer token granting the viewer or admin role is required.\"}}");
    }

    @Test
    void servesTheTextFormatWithItsExactContentType() throws Exception {
        HttpResponse<String> response = send("GET", "viewer-token");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("flux_wire_requests_total 1.0", "jvm_threads_current ");
    }

    @Test
    void headHasHeadersButNoBody() throws Exception {
        HttpResponse<String> response = send("HEAD", "viewer-token");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void postIsNotAllowed() throws Exception {
        HttpResponse<String> response = send("POST", "admin-token");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void publicModeOpensItLive() throws Exception {
        servlet.modified(Configs.of(MetricsServlet.Config.class, Map.of("public$", true)));

        assertThat(send("GET", null).statusCode()).isEqualTo(200);
    }
}
