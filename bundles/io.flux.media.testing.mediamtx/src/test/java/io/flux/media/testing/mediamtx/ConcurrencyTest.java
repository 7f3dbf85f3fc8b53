package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    @Test
    void concurrentAddsOfOneNameSucceedExactlyOnce() throws Exception {
        try (MediaMtxStandIn mtx = MediaMtxStandIn.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    int n = i;
                    calls.add(() -> new Http(mtx.apiUrl())
                            .send("POST", "/v3/config/paths/add/live/same", "{\"maxReaders\":" + n + "}").statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    statuses.add(f.get());
                }

                assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
                assertThat(statuses).filteredOn(s -> s == 400).hasSize(31);
                assertThat(mtx.pathConfigs()).containsOnlyKeys("live/same");
                assertThat(mtx.requests()).hasSize(32);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
