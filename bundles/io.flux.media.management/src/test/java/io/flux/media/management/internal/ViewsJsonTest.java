package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON field names clients see are snake_case, as every Flux endpoint answers. */
class ViewsJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void bundleViews() throws Exception {
        BundleView.Detail detail = new BundleView.Detail(5, "com.acme.a", "1.0.0", "ACTIVE", "flux:api:com.acme.a",
                false, false, "api", Map.of("Bundle-Name", "A"),
                List.of(new BundleView.ServiceView(12, List.of("java.lang.Runnable"))));

        JsonNode json = mapper.valueToTree(detail);

        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "symbolic_name", "version", "state",
                "location", "fragment", "core", "source", "headers", "services");
        assertThat(json.at("/services/0/object_class/0").asText()).isEqualTo("java.lang.Runnable");
        assertThat(json.at("/headers/Bundle-Name").asText()).isEqualTo("A");
    }

    @Test
    void featureViews() throws Exception {
        FeatureView view = new FeatureView("console", "Console", false, true, true,
                List.of(new FeatureView.BundleEntry("c.jar", "com.acme.c", "1.0.0", 7L, "ACTIVE")), List.of("pid"),
                null);

        JsonNode json = mapper.valueToTree(view);

        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("name", "description", "core", "boot",
                "installed", "bundles", "configurations", "error");
        assertThat(json.at("/bundles/0/symbolic_name").asText()).isEqualTo("com.acme.c");
        assertThat(json.at("/bundles/0/id").asLong()).isEqualTo(7L);
    }
}
