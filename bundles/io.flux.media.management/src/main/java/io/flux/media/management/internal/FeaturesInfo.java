package io.flux.media.management.internal;

import java.util.List;

import io.flux.media.api.health.InfoContributor;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code features} section of {@code GET /api/v1/info}: the names of the installed features. */
@Component
public class FeaturesInfo implements InfoContributor {

    private final ManagementService management;

    @Activate
    public FeaturesInfo(@Reference ManagementService management) {
        this.management = management;
    }

    @Override
    public String name() {
        return "features";
    }

    @Override
    public List<String> info() {
        return management.features().list().stream().filter(FeatureView::installed).map(FeatureView::name).toList();
    }
}
