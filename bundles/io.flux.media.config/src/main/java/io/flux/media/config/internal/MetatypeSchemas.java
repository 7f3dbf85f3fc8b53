package io.flux.media.config.internal;

import java.util.Arrays;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Finds the OCD designated for a PID (or its factory PID) in any bundle's metatype. */
final class MetatypeSchemas implements ConfigService.SchemaLookup {

    private static final int LIVE = Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING;

    private final MetaTypeService metatype;
    private final BundleContext context;

    MetatypeSchemas(MetaTypeService metatype, BundleContext context) {
        this.metatype = metatype;
        this.context = context;
    }

    @Override
    public Optional<ConfigSchema> find(String pid, String factoryPid) {
        for (Bundle bundle : context.getBundles()) {
            if ((bundle.getState() & LIVE) == 0) {
                continue;
            }
            try {
                MetaTypeInformation info = metatype.getMetaTypeInformation(bundle);
                if (info == null) {
                    continue;
                }
                String id = contains(info.getPids(), pid) ? pid
                        : factoryPid != null && contains(info.getFactoryPids(), factoryPid) ? factoryPid : null;
                if (id != null) {
                    ObjectClassDefinition ocd = info.getObjectClassDefinition(id, null);
                    if (ocd != null) {
                        return Optional.of(ConfigSchema.of(ocd));
                    }
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                // The bundle went away or its metatype is broken; another bundle may still designate the PID.
            }
        }
        return Optional.empty();
    }

    private static boolean contains(String[] values, String value) {
        return values != null && Arrays.asList(values).contains(value);
    }
}
