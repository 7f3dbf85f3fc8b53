package io.flux.media.metrics.internal;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Minimal fakes of the servlet request/response and the authenticator: only what the metrics servlet uses. */
final class FakeHttp {

    private FakeHttp() {
    }

    static HttpServletRequest request(String method, String authorization) {
        return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (self, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization : null;
                    case "getRequestURI", "getServletPath" -> MetricsServlet.PATH;
                    case "toString" -> method + " " + MetricsServlet.PATH;
                    default -> throw new UnsupportedOperationException("request." + m.getName());
                });
    }

    /** Records what the servlet sets. */
    static final class Response {
        int status = 200;
        String contentType;
        String characterEncoding;
        long contentLength = -1;
        final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        /** The Content-Type a container would send: the charset set separately is appended. */
        String contentTypeHeader() {
            return characterEncoding == null || contentType.contains("charset") ? contentType
                    : contentType + ";charset=" + characterEncoding;
        }

        HttpServletResponse proxy() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (self, m, args) -> {
                        switch (m.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "setContentType" -> contentType = (String) args[0];
                            case "setCharacterEncoding" -> characterEncoding = (String) args[0];
                            case "setContentLength" -> contentLength = (Integer) args[0];
                            case "setContentLengthLong" -> contentLength = (Long) args[0];
                            case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "toString" -> {
                                return "response " + status;
                            }
                            default -> throw new UnsupportedOperationException("response." + m.getName());
                        }
                        return null;
                    });
        }
    }

    /** Grants VIEWER for "viewer-token" and ADMIN for "admin-token". */
    static final class Tokens implements Authenticator {
        @Override
        public Optional<Role> authenticate(String token) {
            return switch (token) {
                case "viewer-token" -> Optional.of(Role.VIEWER);
                case "admin-token" -> Optional.of(Role.ADMIN);
                default -> Optional.empty();
            };
        }

        @Override
        public boolean isConfigured() {
            return true;
        }
    }
}
