package io.flux.media.metrics.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics}: every metric of the server in the Prometheus text format (0.0.4).
 * <p>
 * Needs a bearer token granting the viewer or admin role, checked by the {@link Authenticator} service,
 * unless {@code public} is set. The authenticator is optional and dynamic so that the security bundle can
 * be replaced without taking the endpoint down; while none is available only public mode lets anyone in.
 */
@Component(service = Servlet.class, configurationPid = MetricsServlet.Config.PID)
@Designate(ocd = MetricsServlet.Config.class)
@HotUpdatable({"public"})
@HttpWhiteboardServletPattern(MetricsServlet.PATH)
@HttpWhiteboardServletName("flux-metrics")
@RequireHttpWhiteboard
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);

    static final String PATH = "/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    @ObjectClassDefinition(name = "Flux metrics endpoint",
            description = "The Prometheus endpoint at /metrics: JVM, OSGi bundle states and the metrics bundles register.")
    public @interface Config {

        String PID = "io.flux.media.metrics";

        // '$' is dropped by the DS/metatype name mapping: the property key is "public".
        @AttributeDefinition(name = "Public",
                description = "Serve /metrics without a token. When off, a bearer token granting the viewer or"
                        + " admin role is required. Hot-updatable.")
        boolean public$() default false;
    }

    private final transient MetricsScraper scraper;
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private volatile boolean open;

    private final transient AtomicReference<Authenticator> authenticator = new AtomicReference<>();

    @Activate
    public MetricsServlet(@Reference MetricsScraper scraper, Config config) {
        this.scraper = scraper;
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    private void apply(Config config) {
        if (config.public$() != open) {
            LOG.info("{} is now {}", PATH, config.public$() ? "public" : "protected by the viewer/admin token");
        }
        open = config.public$();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAuthenticator(Authenticator authenticator) {
        this.authenticator.set(authenticator);
    }

    void unbindAuthenticator(Authenticator authenticator) {
        // A greedy replacement binds the new service before unbinding the old one.
        this.authenticator.compareAndSet(authenticator, null);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!open && !authorized(request)) {
            response.setHeader("WWW-Authenticate", "Bearer");
            error(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
                    "A bearer token granting the viewer or admin role is required.");
            return;
        }
        String method = request.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed",
                    "Method " + method + " is not allowed on " + PATH + "; use GET or HEAD.");
            return;
        }
        // Rendered into memory first so that a failing collector yields a clean 500, not a truncated body.
        ByteArrayOutputStream body = new ByteArrayOutputStream(32 * 1024);
        try {
            writer.write(body, scraper.scrape());
        } catch (RuntimeException e) {
            LOG.error("Scraping metrics failed", e);
            error(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "internal_error", "Collecting metrics failed.");
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.size());
        if (!head) {
            body.writeTo(response.getOutputStream());
        }
    }

    private boolean authorized(HttpServletRequest request) {
        Authenticator current = authenticator.get();
        if (current == null) {
            return false;
        }
        Optional<Role> role = current.authenticateHeader(request.getHeader("Authorization"));
        return role.map(r -> r.covers(Role.VIEWER)).orElse(false);
    }

    private static void error(HttpServletResponse response, int status, String code, String message) throws IOException {
        byte[] json = ("{\"error\":{\"status\":" + status + ",\"code\":\"" + code + "\",\"message\":\""
                + jsonEscape(message) + "\"}}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(JSON);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    private static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
