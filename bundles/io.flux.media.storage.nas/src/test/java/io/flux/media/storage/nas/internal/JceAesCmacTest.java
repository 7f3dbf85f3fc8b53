package io.flux.media.storage.nas.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.hierynomus.security.Mac;
import com.hierynomus.security.bc.BCSecurityProvider;

/** SMB 3 signing on the JDK's AES: the RFC 4493 vectors, and the same MAC as BouncyCastle's however data arrives. */
class JceAesCmacTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
    private static final byte[] MESSAGE = HEX.parseHex("6bc1bee22e409f96e93d7e117393172a"
            + "ae2d8a571e03ac9c9eb76fac45af8e51" + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710");

    @Test
    void rfc4493Vectors() throws Exception {
        assertThat(mac(0)).isEqualTo("bb1d6929e95937287fa37d129b756746");
        assertThat(mac(16)).isEqualTo("070a16b46b4d4144f79bdd9dd04a287c");
        assertThat(mac(40)).isEqualTo("dfa66747de9ae63030ca32611497c827");
        assertThat(mac(64)).isEqualTo("51f0bebf7e3b9d92fc49741779363cfe");
    }

    private static String mac(int length) throws Exception {
        JceAesCmac m = new JceAesCmac();
        m.init(KEY);
        m.update(MESSAGE, 0, length);
        return HEX.formatHex(m.doFinal());
    }

    @Test
    void agreesWithBouncyCastleForAnyLengthAndChunkingAndResets() throws Exception {
        Random r = new Random(42);
        Mac ours = new FastSigningSecurityProvider().getMac("AesCmac");
        Mac theirs = new BCSecurityProvider().getMac("AESCMAC");
        byte[] key = new byte[16];
        r.nextBytes(key);
        ours.init(key);
        theirs.init(key);
        for (int length : new int[] {1, 15, 16, 17, 31, 32, 33, 1000, 65_536, 65_537, 200_000, 1_048_640}) {
            byte[] data = new byte[length];
            r.nextBytes(data);
            int off = 0;
            while (off < length) {
                int n = Math.min(length - off, 1 + r.nextInt(r.nextBoolean() ? 20 : 150_000));
                if (n == 1) {
                    ours.update(data[off]);
                } else {
                    ours.update(data, off, n);
                }
                off += n;
            }
            theirs.update(data, 0, length);
            assertThat(HEX.formatHex(ours.doFinal())).as("length %d", length).isEqualTo(HEX.formatHex(theirs.doFinal()));
        }
    }
}
