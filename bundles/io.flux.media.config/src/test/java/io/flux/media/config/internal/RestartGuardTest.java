package io.flux.media.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RestartGuardTest {

    private static final String PID = "io.flux.media.server";
    private static final Set<String> HOT = Set.of("log.level");

    private final RestartGuard guard = new RestartGuard();

    private static Dictionary<String, Object> delivery(Object... keyValues) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", PID);
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void firstDeliveryPassesAndBecomesEffective() {
        Dictionary<String, Object> first = delivery("http.port", 8080, "log.level", "INFO");

        assertThat(guard.process(PID, first, HOT)).isEmpty();

        assertThat(first.get("http.port")).isEqualTo(8080);
        RestartGuard.Status status = guard.status(PID).orElseThrow();
        assertThat(status.effective()).containsOnly(entry("http.port", 8080), entry("log.level", "INFO"));
        assertThat(status.pending()).isEmpty();
    }

    @Test
    void restartOnlyChangeIsReplacedByTheEffectiveValueAndReportedPending() {
        guard.process(PID, delivery("http.port", 8080, "log.level", "INFO"), HOT);

        Dictionary<String, Object> second = delivery("http.port", 9090, "log.level", "DEBUG");
        assertThat(guard.process(PID, second, HOT)).containsExactly("http.port");

        assertThat(second.get("http.port")).as("held back").isEqualTo(8080);
        assertThat(second.get("log.level")).as("hot passes").isEqualTo("DEBUG");
        RestartGuard.Status status = guard.status(PID).orElseThrow();
        assertThat(status.effective()).containsOnly(entry("http.port", 8080), entry("log.level", "DEBUG"));
        assertThat(status.pending()).containsOnly(entry("http.port", new RestartGuard.Pending(8080, 9090)));
    }

    @Test
    void aRepeatedDeliveryIsNotReportedTwiceAndRevertingClearsPending() {
        guard.process(PID, delivery("http.port", 8080), HOT);
        assertThat(guard.process(PID, delivery("http.port", 9090), HOT)).containsExactly("http.port");
        assertThat(guard.process(PID, delivery("http.port", 9090), HOT)).as("same pending value").isEmpty();

        Dictionary<String, Object> reverted = delivery("http.port", "8080"); // same value as text
        guard.process(PID, reverted, HOT);

        assertThat(reverted.get("http.port")).isEqualTo("8080");
        assertThat(guard.status(PID).orElseThrow().pending()).isEmpty();
    }

    @Test
    void keyTheComponentNeverHadIsRemovedFromTheDelivery() {
        guard.seed(PID, Map.of()); // running on defaults
        Dictionary<String, Object> change = delivery("data.dir", "/elsewhere", "log.level", "WARN");

        guard.process(PID, change, HOT);

        assertThat(change.get("data.dir")).isNull();
        assertThat(change.get("log.level")).isEqualTo("WARN");
        assertThat(guard.status(PID).orElseThrow().pending())
                .containsOnly(entry("data.dir", new RestartGuard.Pending(null, "/elsewhere")));
    }

    @Test
    void removedRestartOnlyKeyIsPutBackAndHotRemovalApplies() {
        guard.process(PID, delivery("http.port", 8080, "log.level", "DEBUG"), HOT);
        Dictionary<String, Object> emptied = delivery();

        guard.process(PID, emptied, HOT);

        assertThat(emptied.get("http.port")).isEqualTo(8080);
        assertThat(emptied.get("log.level")).isNull();
        RestartGuard.Status status = guard.status(PID).orElseThrow();
        assertThat(status.effective()).containsOnly(entry("http.port", 8080));
        assertThat(status.pending()).containsOnly(entry("http.port", new RestartGuard.Pending(8080, null)));
    }

    @Test
    void addedThenRemovedKeyLeavesNothingPending() {
        guard.seed(PID, Map.of());
        guard.process(PID, delivery("data.dir", "x"), HOT);
        guard.process(PID, delivery(), HOT);

        assertThat(guard.status(PID).orElseThrow().pending()).isEmpty();
    }

    @Test
    void arraysCompareElementWise() {
        Set<String> hot = Set.of();
        guard.process(PID, delivery("names", new String[] { "a", "b" }), hot);
        Dictionary<String, Object> same = delivery("names", java.util.List.of("a", "b"));

        guard.process(PID, same, hot);

        assertThat(guard.status(PID).orElseThrow().pending()).isEmpty();
    }

    @Test
    void unmanagedPidPassesEverything() {
        guard.process("org.apache.felix.http", delivery("org.osgi.service.http.port", 8080), null);
        Dictionary<String, Object> change = delivery("org.osgi.service.http.port", 9090);

        assertThat(guard.process("org.apache.felix.http", change, null)).isEmpty();

        assertThat(change.get("org.osgi.service.http.port")).isEqualTo(9090);
        assertThat(guard.status("org.apache.felix.http").orElseThrow().effective())
                .containsEntry("org.osgi.service.http.port", 9090);
    }

    @Test
    void factoryConfigurationsAreTrackedPerInstance() {
        Set<String> hot = Set.of("enabled");
        guard.process("flux.storage~a", delivery("root", "/a"), hot);
        guard.process("flux.storage~b", delivery("root", "/b"), hot);
        Dictionary<String, Object> change = delivery("root", "/c");

        guard.process("flux.storage~a", change, hot);

        assertThat(change.get("root")).isEqualTo("/a");
        assertThat(guard.status("flux.storage~b").orElseThrow().pending()).isEmpty();
        guard.forget("flux.storage~a");
        assertThat(guard.status("flux.storage~a")).isEmpty();
    }

    @Test
    void seedDoesNotOverrideWhatWasDelivered() {
        guard.process(PID, delivery("http.port", 8080), HOT);

        assertThat(guard.seed(PID, Map.of("http.port", 1))).isFalse();
        assertThat(guard.status(PID).orElseThrow().effective()).containsEntry("http.port", 8080);
    }

    @Test
    void serviceKeysAreNeverFields() {
        guard.process(PID, delivery("http.port", 8080), HOT);
        Dictionary<String, Object> change = delivery("http.port", 8080);
        change.put("service.factoryPid", "x");
        change.put("felix.fileinstall.filename", "file:/config/x.cfg");

        guard.process(PID, change, HOT);

        assertThat(change.get("felix.fileinstall.filename")).isEqualTo("file:/config/x.cfg");
        assertThat(guard.status(PID).orElseThrow().pending()).isEmpty();
    }

    @Test
    void awaitEffectiveReturnsOnceADeliveryMatches() throws Exception {
        guard.process(PID, delivery("log.level", "INFO"), HOT);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> result = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return guard.awaitEffective(PID, Map.of("log.level", "DEBUG"), Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();

        guard.process(PID, delivery("log.level", "DEBUG"), HOT);

        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(guard.awaitEffective(PID, Map.of("log.level", "TRACE"), Duration.ofMillis(20))).isFalse();
    }

    @Test
    void concurrentDeliveriesKeepOneConsistentState() throws Exception {
        guard.process(PID, delivery("http.port", 8080, "log.level", "INFO"), HOT);
        int threads = 8;
        CompletableFuture<?>[] all = new CompletableFuture<?>[threads];
        for (int t = 0; t < threads; t++) {
            int port = 9000 + t;
            all[t] = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 500; i++) {
                    Dictionary<String, Object> d = delivery("http.port", port, "log.level", "DEBUG");
                    guard.process(PID, d, HOT);
                    assertThat(d.get("http.port")).isEqualTo(8080);
                }
            });
        }
        CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);

        RestartGuard.Status status = guard.status(PID).orElseThrow();
        assertThat(new HashMap<>(status.effective())).containsOnly(entry("http.port", 8080), entry("log.level", "DEBUG"));
        assertThat(status.pending()).containsOnlyKeys("http.port");
    }
}
