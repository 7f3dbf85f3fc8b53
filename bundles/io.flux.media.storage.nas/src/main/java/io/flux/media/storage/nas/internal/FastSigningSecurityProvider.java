package io.flux.media.storage.nas.internal;

import com.hierynomus.security.AEADBlockCipher;
import com.hierynomus.security.Cipher;
import com.hierynomus.security.DerivationFunction;
import com.hierynomus.security.Mac;
import com.hierynomus.security.MessageDigest;
import com.hierynomus.security.SecurityException;
import com.hierynomus.security.SecurityProvider;
import com.hierynomus.security.bc.BCSecurityProvider;

/** BouncyCastle for everything, except SMB 3 signing (AES-CMAC), which runs on the JDK's accelerated AES. */
final class FastSigningSecurityProvider implements SecurityProvider {

    private final SecurityProvider delegate = new BCSecurityProvider();

    @Override
    public MessageDigest getDigest(String name) throws SecurityException {
        return delegate.getDigest(name);
    }

    @Override
    public Mac getMac(String name) throws SecurityException {
        return "AESCMAC".equalsIgnoreCase(name) ? new JceAesCmac() : delegate.getMac(name);
    }

    @Override
    public Cipher getCipher(String name) throws SecurityException {
        return delegate.getCipher(name);
    }

    @Override
    public AEADBlockCipher getAEADBlockCipher(String name) throws SecurityException {
        return delegate.getAEADBlockCipher(name);
    }

    @Override
    public DerivationFunction getDerivationFunction(String name) throws SecurityException {
        return delegate.getDerivationFunction(name);
    }
}
