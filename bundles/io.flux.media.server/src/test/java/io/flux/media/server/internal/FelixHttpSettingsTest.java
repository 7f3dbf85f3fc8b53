package io.flux.media.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

class FelixHttpSettingsTest {

    private final ConfigurationAdmin configAdmin = mock(ConfigurationAdmin.class);
    private final Configuration configuration = mock(Configuration.class);

    FelixHttpSettingsTest() throws Exception {
        when(configAdmin.getConfiguration(FelixHttpSettings.PID, "?")).thenReturn(configuration);
    }

    @Test
    void writesWhenNothingIsStored() throws Exception {
        when(configuration.getProperties()).thenReturn(null);

        assertThat(FelixHttpSettings.apply(configAdmin, 8080, "0.0.0.0")).isTrue();

        Dictionary<String, Object> written = captureUpdate();
        assertThat(written.get(FelixHttpSettings.PORT)).isEqualTo(8080);
        assertThat(written.get(FelixHttpSettings.HOST)).isEqualTo("0.0.0.0");
        assertThat(written.get(FelixHttpSettings.ENABLE)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void leavesAnIdenticalConfigurationAlone() throws Exception {
        Dictionary<String, Object> stored = new Hashtable<>();
        stored.put(FelixHttpSettings.PORT, "8080"); // as a .cfg file stores it
        stored.put(FelixHttpSettings.HOST, "0.0.0.0");
        stored.put(FelixHttpSettings.ENABLE, "true");
        when(configuration.getProperties()).thenReturn(stored);

        assertThat(FelixHttpSettings.apply(configAdmin, 8080, "0.0.0.0")).isFalse();

        verify(configuration, never()).update(any(Dictionary.class));
        verify(configuration, never()).updateIfDifferent(any(Dictionary.class));
    }

    @Test
    void changedPortIsMergedKeepingOtherKeys() throws Exception {
        Dictionary<String, Object> stored = new Hashtable<>();
        stored.put(FelixHttpSettings.PORT, 8080);
        stored.put(FelixHttpSettings.HOST, "0.0.0.0");
        stored.put(FelixHttpSettings.ENABLE, true);
        stored.put("org.apache.felix.http.timeout", 30000);
        when(configuration.getProperties()).thenReturn(stored);

        assertThat(FelixHttpSettings.apply(configAdmin, 9090, "0.0.0.0")).isTrue();

        Dictionary<String, Object> written = captureUpdate();
        assertThat(written.get(FelixHttpSettings.PORT)).isEqualTo(9090);
        assertThat(written.get("org.apache.felix.http.timeout")).isEqualTo(30000);
    }

    @Test
    void missingEnableFlagIsWritten() throws Exception {
        Dictionary<String, Object> stored = new Hashtable<>();
        stored.put(FelixHttpSettings.PORT, 8080);
        stored.put(FelixHttpSettings.HOST, "0.0.0.0");
        when(configuration.getProperties()).thenReturn(stored);

        assertThat(FelixHttpSettings.apply(configAdmin, 8080, "0.0.0.0")).isTrue();
        assertThat(captureUpdate().get(FelixHttpSettings.ENABLE)).isEqualTo(Boolean.TRUE);
    }

    @SuppressWarnings("unchecked")
    private Dictionary<String, Object> captureUpdate() throws Exception {
        ArgumentCaptor<Dictionary<String, ?>> captor = ArgumentCaptor.forClass(Dictionary.class);
        verify(configuration).update(captor.capture());
        return (Dictionary<String, Object>) captor.getValue();
    }
}
