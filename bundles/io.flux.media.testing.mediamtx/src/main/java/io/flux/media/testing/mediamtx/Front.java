package io.flux.media.testing.mediamtx;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * What every request goes through before its route: the request log, the fault switch, body size limit and
 * authentication (HTTP Basic, or MediaMTX's {@code ?user=&pass=} query credentials).
 */
final class Front implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Front.class);

    /** MediaMTX limits request bodies to 10 MiB. */
    static final int MAX_BODY = 10 * 1024 * 1024;

    /** A parsed request as the routes see it. */
    record Call(String method, String path, Map<String, String> query, byte[] body, boolean bodyTooLarge,
            String host) {
    }

    interface Routes {
        Reply handle(Call call);
    }

    private final MediaMtxStandIn standIn;
    private final String server;
    private final Routes routes;

    Front(MediaMtxStandIn standIn, String server, Routes routes) {
        this.standIn = standIn;
        this.server = server;
        this.routes = routes;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            byte[] body;
            boolean tooLarge;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
                tooLarge = body.length > MAX_BODY;
            }
            standIn.record(new MediaMtxStandIn.Request(method, path, rawQuery == null ? "" : rawQuery,
                    tooLarge ? "" : new String(body, StandardCharsets.UTF_8), server));

            if (standIn.fault() == MediaMtxStandIn.Fault.HANG && !standIn.awaitNotHanging()) {
                return; // dropped unanswered: the client sees its timeout, then a closed connection
            }
            Reply reply;
            if (standIn.fault() == MediaMtxStandIn.Fault.ERROR_500) {
                reply = Reply.error(500, "internal error");
            } else {
                Map<String, String> query = parseQuery(rawQuery);
                reply = authenticate(exchange, query);
                if (reply == null) {
                    String host = exchange.getRequestHeaders().getFirst("Host");
                    reply = routes.handle(new Call(method, path, query, body, tooLarge, host));
                }
            }
            send(exchange, reply);
        } catch (RuntimeException e) {
            LOG.warn("MediaMTX stand-in failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            send(exchange, Reply.error(500, "internal error"));
        }
    }

    private Reply authenticate(HttpExchange exchange, Map<String, String> query) {
        String[] required = standIn.credentials();
        if (required == null) {
            return null;
        }
        String user = null;
        String pass = null;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0) {
                    user = decoded.substring(0, colon);
                    pass = decoded.substring(colon + 1);
                }
            } catch (IllegalArgumentException e) {
                // undecodable header: treated like wrong credentials
                user = "";
                pass = "";
            }
        } else if (query.containsKey("user") || query.containsKey("pass")) {
            user = query.getOrDefault("user", "");
            pass = query.getOrDefault("pass", "");
        }
        if (user != null && constantTimeEquals(user, required[0]) && constantTimeEquals(pass, required[1])) {
            return null;
        }
        // Real MediaMTX: 401 asking for Basic credentials, no body.
        return new Reply(401, Map.of("WWW-Authenticate", "Basic realm=\"mediamtx\""), new byte[0]);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (reply.body().length == 0) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    /** Go's url.ParseQuery, first value of each key. */
    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // malformed escape: Go drops the pair as well
            }
        }
        return out;
    }
}
