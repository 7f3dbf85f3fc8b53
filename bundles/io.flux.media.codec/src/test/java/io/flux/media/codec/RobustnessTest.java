package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Random and damaged input: every parser either succeeds or throws CodecException, and terminates. */
class RobustnessTest {

    interface Parser {
        void parse(ByteBuffer b) throws CodecException;
    }

    private static final List<Parser> PARSERS = List.of(
            H264::parseSps, H265::parseSps, H265::parseProfileTierLevel, H264::parameterSetId,
            H265::parameterSetId, H264::codecString, Adts::parse, Adts::split, AudioSpecificConfig::parse,
            DecoderConfig::parseAvcC, DecoderConfig::parseHvcC,
            b -> DecoderConfig.avcC(NalUnits.splitAnnexB(b)), b -> DecoderConfig.hvcC(NalUnits.splitAnnexB(b)),
            b -> NalUnits.splitLengthPrefixed(b, 4), b -> NalUnits.splitLengthPrefixed(b, 2),
            b -> NalUnits.splitAnnexB(b), b -> NalUnits.unescape(b), b -> drain(AnnexBReader.h264(b)),
            b -> drain(AnnexBReader.h265(b)));

    private static void drain(AnnexBReader r) {
        int guard = 0;
        while (r.next() != null) {
            if (++guard > 1_000_000) {
                throw new AssertionError("reader does not terminate");
            }
        }
    }

    private static void check(ByteBuffer input) {
        for (Parser p : PARSERS) {
            ByteBuffer b = input.duplicate();
            try {
                p.parse(b);
            } catch (CodecException expected) {
                // the one allowed failure
            }
            assertThat(b.position()).isEqualTo(input.position());
            assertThat(b.limit()).isEqualTo(input.limit());
        }
    }

    @Test
    void zeroLengthInput() {
        check(ByteBuffer.allocate(0));
    }

    @Test
    void randomBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            check(ByteBuffer.wrap(bytes));
        }
    }

    @Test
    void randomBytesThatLookLikeHeaders() {
        Random random = new Random(7);
        int[] headers = {0x67, 0x42, 0x40, 0x44, 0x01};
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[2 + random.nextInt(60)];
            random.nextBytes(bytes);
            bytes[0] = (byte) headers[i % headers.length];
            bytes[1] = (byte) (i % 3 == 0 ? 0x01 : bytes[1]);
            check(ByteBuffer.wrap(bytes));
        }
    }

    @Test
    void bitFlipsAndCutsOfValidParameterSets() {
        Random random = new Random(3);
        for (ByteBuffer valid : List.of(H264SpsTest.high1080p(), H264SpsTest.baseline720p(),
                H265SpsTest.main10Sps())) {
            for (int i = 0; i < 2000; i++) {
                byte[] bytes = new byte[valid.remaining()];
                valid.duplicate().get(bytes);
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    int bit = 8 + random.nextInt((bytes.length - 1) * 8);
                    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                check(ByteBuffer.wrap(bytes, 0, random.nextInt(bytes.length + 1)));
            }
        }
    }

    @Test
    void readOnlyAndDirectBuffersWork() throws Exception {
        ByteBuffer sps = H264SpsTest.high1080p();
        ByteBuffer direct = ByteBuffer.allocateDirect(sps.remaining()).put(sps.duplicate()).flip();
        assertThat(H264.parseSps(direct.asReadOnlyBuffer())).isEqualTo(H264.parseSps(sps));
        check(direct.asReadOnlyBuffer());
    }
}
