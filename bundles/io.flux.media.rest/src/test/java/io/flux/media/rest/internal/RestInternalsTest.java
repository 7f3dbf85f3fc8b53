package io.flux.media.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.ErrorBody;
import io.flux.media.api.rest.Public;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.security.Role;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

class RestInternalsTest {

    record Body(String name, int port) {
    }

    @Path("things/")
    static class Things {
        @GET
        @Path("{id}/start")
        public void start() {
        }

        @GET
        @Public
        public void list() {
        }

        @POST
        @RequiresRole(Role.VIEWER)
        public void viewerMayPost() {
        }
    }

    @Path("/")
    static class Root {
        @GET
        public void root() {
        }
    }

    private static Method method(Class<?> c, String name) throws NoSuchMethodException {
        return c.getMethod(name);
    }

    @Test
    void jsonErrorsNameTheFieldAndPosition() {
        JsonProcessingException unknown = assertThrowsJson("{\"name\":\"a\",\"port\":1,\"colour\":2}");
        assertThat(ErrorMapper.describe(unknown)).isEqualTo("unknown field 'colour'");
        JsonProcessingException wrongType = assertThrowsJson("{\"name\":\"a\",\"port\":\"eighty\"}");
        assertThat(ErrorMapper.describe(wrongType)).contains("'port'");
        JsonProcessingException truncated = assertThrowsJson("{\"name\":");
        assertThat(ErrorMapper.describe(truncated)).startsWith("invalid JSON at line 1");
    }

    private static JsonProcessingException assertThrowsJson(String json) {
        try {
            JsonProvider.MAPPER.readValue(json, Body.class);
        } catch (JsonProcessingException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void errorBodyHasTheOneShape() throws Exception {
        String json = JsonProvider.MAPPER.writeValueAsString(ErrorBody.of(409, "conflict", "busy", Map.of("n", 2)));
        assertThat(json).isEqualTo("{\"error\":{\"status\":409,\"code\":\"conflict\",\"message\":\"busy\",\"details\":{\"n\":2}}}");
        assertThat(JsonProvider.MAPPER.writeValueAsString(ErrorBody.of(404, "not_found", "x", Map.of())))
                .isEqualTo("{\"error\":{\"status\":404,\"code\":\"not_found\",\"message\":\"x\"}}");
        assertThat(ErrorMapper.codeFor(413)).isEqualTo("payload_too_large");
        assertThat(ErrorMapper.codeFor(599)).isEqualTo("internal_error");
    }

    @Test
    void wrappedApiExceptionsAreFound() {
        ApiException cause = ApiException.conflict("x");
        assertThat(ErrorMapper.unwrap(new RuntimeException(new IOException(cause)))).isSameAs(cause);
        RuntimeException other = new RuntimeException("plain");
        assertThat(ErrorMapper.unwrap(other)).isSameAs(other);
    }

    @Test
    void routeIsTheTemplateNeverTheRawPath() throws Exception {
        assertThat(HttpMetricsFilter.route(Things.class, method(Things.class, "start"))).isEqualTo("/things/{id}/start");
        assertThat(HttpMetricsFilter.route(Things.class, method(Things.class, "list"))).isEqualTo("/things");
        assertThat(HttpMetricsFilter.route(Root.class, method(Root.class, "root"))).isEqualTo("/");
        assertThat(HttpMetricsFilter.route(null, null)).isEqualTo("unmatched");
    }

    @Test
    void rolesDenyByDefault() throws Exception {
        assertThat(AuthFilters.required(method(Things.class, "start"), "GET")).isEqualTo(Role.VIEWER);
        assertThat(AuthFilters.required(method(Things.class, "start"), "DELETE")).isEqualTo(Role.ADMIN);
        assertThat(AuthFilters.required(method(Things.class, "viewerMayPost"), "POST")).isEqualTo(Role.VIEWER);
        assertThat(AuthFilters.isPublic(method(Things.class, "list"))).isTrue();
        assertThat(AuthFilters.isPublic(method(Things.class, "start"))).isFalse();
        assertThat(Role.ADMIN.covers(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.covers(Role.ADMIN)).isFalse();
    }

    @Test
    void limitedStreamFailsOncePastTheLimit() throws IOException {
        InputStream ok = new RequestLimitFilter.LimitedInputStream(new ByteArrayInputStream(new byte[10]), 10);
        assertThat(ok.readAllBytes()).hasSize(10);
        InputStream big = new RequestLimitFilter.LimitedInputStream(new ByteArrayInputStream(new byte[11]), 10);
        assertThatThrownBy(big::readAllBytes).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(413));
    }
}
