package io.flux.media.lib.jainsip;

import java.util.Properties;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

import org.osgi.annotation.versioning.ProviderType;

import gov.nist.core.net.SecurityManagerProvider;

/**
 * A security manager provider for stacks without TLS listening points: no key or trust managers. The RI's
 * default provider reads the JVM's key store settings and warns on every stack start when there are none.
 */
@ProviderType
public final class NoTlsSecurityManagerProvider implements SecurityManagerProvider {

    public NoTlsSecurityManagerProvider() {
    }

    @Override
    public void init(Properties properties) {
        // Nothing to load.
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return new KeyManager[0];
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return new TrustManager[0];
    }
}
