package io.flux.media.itests.tiny;

import io.flux.media.api.health.InfoContributor;

/**
 * The service of the bundle the tests build at run time and install through the API. It is packaged into
 * that bundle by {@link io.flux.media.itests.TestBundles}, with a hand-made DS descriptor.
 */
public class TinyInfoContributor implements InfoContributor {

    @Override
    public String name() {
        return "tiny";
    }

    @Override
    public Object info() {
        return "installed at runtime";
    }
}
