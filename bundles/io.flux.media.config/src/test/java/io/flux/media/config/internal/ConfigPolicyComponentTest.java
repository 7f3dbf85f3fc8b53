package io.flux.media.config.internal;

import static io.flux.media.config.internal.DeclarationsTest.component;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

class ConfigPolicyComponentTest {

    private static final String SERVER = "io.flux.media.server";
    private static final String REST = "io.flux.media.rest";

    private final ServiceComponentRuntime scr = mock(ServiceComponentRuntime.class);
    private final ConfigurationAdmin configAdmin = mock(ConfigurationAdmin.class);
    private final BundleContext context = mock(BundleContext.class);
    private final List<ComponentDescriptionDTO> descriptions = new ArrayList<>(List.of(
            component("server", "optional", new String[] { "log.level" }, SERVER),
            component("rest", "optional", new String[] { "request.max.bytes" }, REST),
            component("storage", "require", new String[] { "enabled" }, "flux.storage")));

    private ConfigPolicyComponent activate() throws Exception {
        when(scr.getComponentDescriptionDTOs()).thenAnswer(i -> descriptions);
        Configuration rest = mock(Configuration.class);
        when(rest.getPid()).thenReturn(REST);
        when(rest.getProperties()).thenReturn(new Hashtable<>(Map.of("service.pid", REST, "request.max.bytes", 1000,
                "cors.origins", "https://a.example")));
        when(configAdmin.listConfigurations(null)).thenReturn(new Configuration[] { rest });
        return new ConfigPolicyComponent(scr, configAdmin, context);
    }

    private static Dictionary<String, Object> delivery(String pid, Object... keyValues) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", pid);
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void componentsThatRanBeforeActivationAreProtected() throws Exception {
        ConfigPolicyComponent policy = activate();

        // The server ran on defaults: a new port must not reach it, the level must.
        Dictionary<String, Object> server = delivery(SERVER, "http.port", 9090, "log.level", "DEBUG");
        policy.modifyConfiguration(null, server);
        assertThat(server.get("http.port")).isNull();
        assertThat(server.get("log.level")).isEqualTo("DEBUG");

        // The REST application got its stored configuration: CORS stays, the size limit applies.
        Dictionary<String, Object> rest = delivery(REST, "request.max.bytes", 2000, "cors.origins", "*");
        policy.modifyConfiguration(null, rest);
        assertThat(rest.get("cors.origins")).isEqualTo("https://a.example");
        assertThat(rest.get("request.max.bytes")).isEqualTo(2000);
        assertThat(policy.guard().status(REST).orElseThrow().pending()).containsOnlyKeys("cors.origins");
    }

    @Test
    void unmanagedAndNewFactoryConfigurationsPass() throws Exception {
        ConfigPolicyComponent policy = activate();

        Dictionary<String, Object> http = delivery("org.apache.felix.http", "org.osgi.service.http.port", 9090);
        policy.modifyConfiguration(null, http);
        Dictionary<String, Object> storage = delivery("flux.storage~nas", "root", "/mnt");
        storage.put("service.factoryPid", "flux.storage");
        policy.modifyConfiguration(null, storage);

        assertThat(http.get("org.osgi.service.http.port")).isEqualTo(9090);
        assertThat(storage.get("root")).isEqualTo("/mnt");

        Dictionary<String, Object> moved = delivery("flux.storage~nas", "root", "/elsewhere");
        moved.put("service.factoryPid", "flux.storage");
        policy.modifyConfiguration(null, moved);
        assertThat(moved.get("root")).isEqualTo("/mnt");
    }

    @Test
    void deletedConfigurationMeansDefaultsOrNothing() throws Exception {
        ConfigPolicyComponent policy = activate();
        policy.modifyConfiguration(null, delivery(SERVER, "http.port", 9090));
        assertThat(policy.guard().status(SERVER).orElseThrow().pending()).isNotEmpty();
        @SuppressWarnings("unchecked")
        ServiceReference<ConfigurationAdmin> ca = mock(ServiceReference.class);

        policy.configurationEvent(new ConfigurationEvent(ca, ConfigurationEvent.CM_DELETED, null, SERVER));
        policy.configurationEvent(new ConfigurationEvent(ca, ConfigurationEvent.CM_DELETED, "flux.storage",
                "flux.storage~nas"));

        assertThat(policy.guard().status(SERVER).orElseThrow().effective()).isEmpty();
        assertThat(policy.guard().status(SERVER).orElseThrow().pending()).isEmpty();
        assertThat(policy.guard().status("flux.storage~nas")).isEmpty();
    }

    @Test
    void aBundleStartedLaterWithoutConfigurationIsTreatedAsRunningOnDefaults() throws Exception {
        ConfigPolicyComponent policy = activate();
        ArgumentCaptor<BundleListener> listener = ArgumentCaptor.forClass(BundleListener.class);
        verify(context).addBundleListener(listener.capture());
        Bundle late = mock(Bundle.class);
        when(scr.getComponentDescriptionDTOs(late)).thenReturn(List.of(
                component("gb", "optional", new String[] { "sip.timeout" }, "io.flux.media.gb28181")));
        descriptions.add(component("gb", "optional", new String[] { "sip.timeout" }, "io.flux.media.gb28181"));

        listener.getValue().bundleChanged(new BundleEvent(BundleEvent.STARTED, late));
        Dictionary<String, Object> change = delivery("io.flux.media.gb28181", "sip.port", 5070);
        policy.modifyConfiguration(null, change);

        assertThat(change.get("sip.port")).isNull();
        policy.deactivate();
        verify(context).removeBundleListener(any());
    }
}
