package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.testing.mediamtx.MediaMtxStandIn.Fault;

class AuthAndFaultTest {

    private MediaMtxStandIn mtx;

    @AfterEach
    void stop() {
        if (mtx != null) {
            mtx.close();
        }
    }

    @Test
    void credentialsAreRequiredOnApiAndPlayback() throws Exception {
        mtx = MediaMtxStandIn.builder().credentials("admin", "s3cret").start();

        for (String url : new String[] {mtx.apiUrl() + "/v3/info", mtx.playbackUrl() + "/list?path=x"}) {
            HttpResponse<String> anonymous = new Http("").get(url);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"mediamtx\"");
            assertThat(anonymous.body()).isEmpty();

            HttpResponse<String> wrong = new Http("").basic("admin", "nope").get(url);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"mediamtx\"");
        }
        assertThat(new Http(mtx.apiUrl()).basic("admin", "s3cret").get("/v3/info").statusCode()).isEqualTo(200);
        assertThat(new Http(mtx.playbackUrl()).basic("admin", "s3cret").get("/list?path=x").statusCode())
                .isEqualTo(400); // authenticated; "x" is not configured
        assertThat(new Http(mtx.apiUrl()).get("/v3/info?user=admin&pass=s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void credentialsCanChangeAtRuntime() throws Exception {
        mtx = MediaMtxStandIn.start();
        Http anonymous = new Http(mtx.apiUrl());
        assertThat(anonymous.get("/v3/info").statusCode()).isEqualTo(200);

        mtx.credentials("u", "p");
        assertThat(anonymous.get("/v3/info").statusCode()).isEqualTo(401);
        assertThat(new Http(mtx.apiUrl()).basic("u", "p").get("/v3/info").statusCode()).isEqualTo(200);

        mtx.credentials(null, null);
        assertThat(anonymous.get("/v3/info").statusCode()).isEqualTo(200);
    }

    @Test
    void refuseClosesTheSocketsAndNoneListensAgainOnTheSamePorts() throws Exception {
        mtx = MediaMtxStandIn.start();
        int apiPort = mtx.apiPort();
        Http api = new Http(mtx.apiUrl());
        api.send("POST", "/v3/config/paths/add/cam", "{}");

        mtx.fault(Fault.REFUSE);
        assertThatThrownBy(() -> api.get("/v3/info")).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> new Http(mtx.playbackUrl()).get("/list?path=cam"))
                .isInstanceOf(ConnectException.class);

        mtx.fault(Fault.NONE);
        assertThat(mtx.apiPort()).isEqualTo(apiPort);
        assertThat(api.get("/v3/info").statusCode()).isEqualTo(200);
        assertThat(mtx.pathConfigs()).containsOnlyKeys("cam"); // state survives the outage
    }

    @Test
    void hangAcceptsButNeverAnswers() throws Exception {
        mtx = MediaMtxStandIn.start();
        Http api = new Http(mtx.apiUrl()).timeout(Duration.ofMillis(300));

        mtx.fault(Fault.HANG);
        assertThatThrownBy(() -> api.get("/v3/info")).isInstanceOf(HttpTimeoutException.class);
        assertThat(mtx.requests()).contains("GET /v3/info"); // it did arrive

        // A request hanging when the fault is lifted is dropped, not carried out late. (POST: the JDK client
        // would transparently retry a GET on the closed connection.)
        Http patient = new Http(mtx.apiUrl()).timeout(Duration.ofSeconds(30));
        CompletableFuture<Integer> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return patient.send("POST", "/v3/config/paths/add/late", "{}").statusCode();
            } catch (Exception e) {
                return -1;
            }
        });
        awaitRequest("POST /v3/config/paths/add/late");
        mtx.fault(Fault.NONE);
        assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(mtx.pathConfigs()).isEmpty();
        assertThat(api.get("/v3/info").statusCode()).isEqualTo(200);
    }

    @Test
    void error500AnswersEveryRequest() throws Exception {
        mtx = MediaMtxStandIn.start();
        mtx.fault(Fault.ERROR_500);

        for (HttpResponse<String> r : new HttpResponse[] {new Http(mtx.apiUrl()).get("/v3/info"),
                new Http(mtx.apiUrl()).send("POST", "/v3/config/paths/add/cam", "{}"),
                new Http(mtx.playbackUrl()).get("/list?path=cam")}) {
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("{\"status\":\"error\",\"error\":\"internal error\"}");
        }
        assertThat(mtx.pathConfigs()).isEmpty();

        mtx.fault(Fault.NONE);
        assertThat(new Http(mtx.apiUrl()).get("/v3/info").statusCode()).isEqualTo(200);
    }

    @Test
    void requestLogRecordsMethodPathQueryAndBody() throws Exception {
        mtx = MediaMtxStandIn.start();
        Http api = new Http(mtx.apiUrl());
        api.send("POST", "/v3/config/paths/add/live/a", "{\"record\":true}");
        api.get("/v3/config/paths/list?page=0");
        new Http(mtx.playbackUrl()).get("/list?path=live/a");

        assertThat(mtx.requests()).containsExactly("POST /v3/config/paths/add/live/a",
                "GET /v3/config/paths/list", "GET /list");
        assertThat(mtx.requestLog().get(0)).isEqualTo(new MediaMtxStandIn.Request("POST",
                "/v3/config/paths/add/live/a", "", "{\"record\":true}", "api"));
        assertThat(mtx.requestLog().get(1).query()).isEqualTo("page=0");
        assertThat(mtx.requestLog().get(2).server()).isEqualTo("playback");

        mtx.clearRequests();
        assertThat(mtx.requests()).isEmpty();
    }

    @Test
    void fixedPortsAndClose() throws Exception {
        MediaMtxStandIn first = MediaMtxStandIn.start();
        int port = first.apiPort();
        first.close();

        mtx = MediaMtxStandIn.builder().apiPort(port).start();
        assertThat(mtx.apiUrl()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(new Http(mtx.apiUrl()).get("/v3/info").statusCode()).isEqualTo(200);
    }

    private void awaitRequest(String line) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!mtx.requests().contains(line)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("request never arrived: " + line);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
