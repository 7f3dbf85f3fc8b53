package io.flux.media.storage.nas.internal;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.hierynomus.security.Mac;
import com.hierynomus.security.SecurityException;

/**
 * AES-CMAC (RFC 4493), the SMB 3 signing algorithm, on the JDK's AES (which uses the CPU's AES instructions). smbj
 * signs every request of an SMB 3 session, payload included; with BouncyCastle's table-based AES that signing was
 * the NAS upload's bottleneck (about 90 MB/s per core). CMAC is the last block of an AES-CBC encryption with a zero
 * IV whose final block is first XORed with a subkey, so the bulk of the message goes through CBC in large slices.
 */
final class JceAesCmac implements Mac {

    private static final int BLOCK = 16;
    private static final int SLICE = 64 * 1024;
    private static final byte[] ZERO_IV = new byte[BLOCK];

    private Cipher cbc;
    private SecretKeySpec key;
    private final byte[] k1 = new byte[BLOCK];
    private final byte[] k2 = new byte[BLOCK];
    /** The last, possibly complete block: CMAC treats it differently, so it stays here until more data comes. */
    private final byte[] last = new byte[BLOCK];
    private int lastLength;
    private byte[] scratch;

    @Override
    public void init(byte[] keyBytes) throws SecurityException {
        try {
            key = new SecretKeySpec(keyBytes, "AES");
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, key);
            byte[] l = ecb.doFinal(new byte[BLOCK]);
            doubleInto(l, k1);
            doubleInto(k1, k2);
            cbc = Cipher.getInstance("AES/CBC/NoPadding");
            reset();
        } catch (GeneralSecurityException e) {
            throw new SecurityException(e);
        }
    }

    /** Multiplication by x in GF(2^128), the subkey derivation of RFC 4493. */
    private static void doubleInto(byte[] in, byte[] out) {
        int carry = 0;
        for (int i = BLOCK - 1; i >= 0; i--) {
            int b = in[i] & 0xFF;
            out[i] = (byte) ((b << 1) | carry);
            carry = b >>> 7;
        }
        if ((in[0] & 0x80) != 0) {
            out[BLOCK - 1] ^= (byte) 0x87;
        }
    }

    @Override
    public void update(byte b) {
        update(new byte[] {b}, 0, 1);
    }

    @Override
    public void update(byte[] b) {
        update(b, 0, b.length);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        if (lastLength + len <= BLOCK) {
            System.arraycopy(b, off, last, lastLength, len);
            lastLength += len;
            return;
        }
        // The held block is not the last one after all: fill it up and encrypt it.
        int fill = BLOCK - lastLength;
        System.arraycopy(b, off, last, lastLength, fill);
        encrypt(last, 0, BLOCK);
        off += fill;
        len -= fill;
        // Whole blocks, keeping at least one byte back for the final block.
        int bulk = ((len - 1) / BLOCK) * BLOCK;
        while (bulk > 0) {
            int n = Math.min(bulk, SLICE);
            encrypt(b, off, n);
            off += n;
            len -= n;
            bulk -= n;
        }
        System.arraycopy(b, off, last, 0, len);
        lastLength = len;
    }

    private void encrypt(byte[] b, int off, int len) {
        if (scratch == null || scratch.length < len) {
            scratch = new byte[Math.min(SLICE, Math.max(BLOCK, len))];
        }
        try {
            cbc.update(b, off, len, scratch, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] doFinal() {
        byte[] block = new byte[BLOCK];
        if (lastLength == BLOCK) {
            for (int i = 0; i < BLOCK; i++) {
                block[i] = (byte) (last[i] ^ k1[i]);
            }
        } else {
            System.arraycopy(last, 0, block, 0, lastLength);
            block[lastLength] = (byte) 0x80;
            for (int i = 0; i < BLOCK; i++) {
                block[i] ^= k2[i];
            }
        }
        try {
            byte[] mac = cbc.doFinal(block);
            reset();
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void reset() {
        lastLength = 0;
        try {
            cbc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(ZERO_IV));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
