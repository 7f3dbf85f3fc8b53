package io.flux.media.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import io.flux.media.api.sample.Codec;
import io.flux.media.ffmpeg.JpegOptions.Picture;
import io.flux.media.ffmpeg.testing.TestMedia;

class JpegSnapshotterTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    static TestMedia.Stream h264;
    static TestMedia.Stream h265;
    /** Luma grows by 8 per frame from black, so the mean brightness tells which frame a picture is. */
    static TestMedia.Stream ramp;
    static TestMedia.Stream h265Main10;

    @BeforeAll
    static void media() throws Exception {
        assertThat(JpegSnapshotter.load()).matches("\\d+\\.\\d+\\.\\d+");
        h264 = TestMedia.generate("testsrc-320x240", Codec.H264, "testsrc=size=320x240:rate=25", 2, 25);
        h265 = TestMedia.generate("testsrc-320x240", Codec.H265, "testsrc=size=320x240:rate=25", 2, 25);
        ramp = TestMedia.generate("ramp-320x240", Codec.H264, "color=c=black:size=320x240:rate=25", 2, 25,
                "-vf", "geq=lum='16+N*8':cb=128:cr=128", "-pix_fmt", "yuv420p");
        h265Main10 = TestMedia.generate("testsrc-main10-320x240", Codec.H265, "testsrc=size=320x240:rate=25", 1, 25,
                "-pix_fmt", "yuv420p10le");
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void keyframeBecomesJpegOfSourceSize(Codec codec) throws Exception {
        TestMedia.Stream s = codec == Codec.H264 ? h264 : h265;

        JpegPicture p = JpegSnapshotter.snapshot(codec, List.of(s.keyframe()), JpegOptions.of(Picture.FIRST),
                System.nanoTime() + LONG);

        assertThat(p.width()).isEqualTo(320);
        assertThat(p.height()).isEqualTo(240);
        assertThat(p.decodedFrames()).isEqualTo(1);
        BufferedImage img = image(p);
        assertThat(img.getWidth()).isEqualTo(320);
        assertThat(img.getHeight()).isEqualTo(240);
        Path file = Path.of("target", "test-media", "keyframe-" + codec + ".jpg");
        Files.write(file, p.jpeg());
        assertThat(TestMedia.probe(file)).isEqualTo("mjpeg,320,240");
    }

    @Test
    void tenBitHevcIsConvertedToEightBitJpeg() throws Exception {
        JpegPicture p = JpegSnapshotter.snapshot(Codec.H265, List.of(h265Main10.keyframe()),
                JpegOptions.of(Picture.FIRST).withSize(160, 0), System.nanoTime() + LONG);

        assertThat(image(p).getWidth()).isEqualTo(160);
        assertThat(image(p).getHeight()).isEqualTo(120);
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void decodeModeReturnsTheNewestPictureOfTheGop(Codec codec) throws Exception {
        TestMedia.Stream s = codec == Codec.H264 ? h264 : h265;
        List<ByteBuffer> gop = s.gop(1);

        JpegPicture p = JpegSnapshotter.snapshot(codec, gop, JpegOptions.of(Picture.LAST), System.nanoTime() + LONG);

        assertThat(p.decodedFrames()).isEqualTo(gop.size());
        assertThat(p.damagedFrames()).isZero();
        assertThat(image(p).getWidth()).isEqualTo(320);
    }

    @Test
    void openGopStartingWithCraSkipsItsLeadingPictures() throws Exception {
        TestMedia.Stream open = TestMedia.generate("testsrc-opengop-320x240", Codec.H265, true,
                "testsrc=size=320x240:rate=25", 2, 25);
        List<ByteBuffer> gop = open.gop(1); // CRA, then RASL pictures that reference the previous GOP
        int leading = (int) gop.stream().filter(JpegSnapshotterTest::isRasl).count();
        assertThat(leading).isPositive();

        JpegPicture p = JpegSnapshotter.snapshot(Codec.H265, gop, JpegOptions.of(Picture.LAST), System.nanoTime() + LONG);

        assertThat(p.decodedFrames()).isEqualTo(gop.size() - leading);
        assertThat(image(p).getWidth()).isEqualTo(320);
    }

    @Test
    void lastPictureIsTheLastInPresentationOrderAndFirstIsTheKeyframe() throws Exception {
        List<ByteBuffer> gop = ramp.gop(0); // 25 frames, B-frames reordered: luma 16 .. 16+24*8 (limited range)

        double first = meanLuma(image(JpegSnapshotter.snapshot(Codec.H264, gop, JpegOptions.of(Picture.FIRST),
                System.nanoTime() + LONG)));
        double last = meanLuma(image(JpegSnapshotter.snapshot(Codec.H264, gop, JpegOptions.of(Picture.LAST),
                System.nanoTime() + LONG)));

        // Limited range 16..235 becomes full range 0..255 in the JPEG.
        assertThat(first).isCloseTo(0, org.assertj.core.data.Offset.offset(4.0));
        assertThat(last).isCloseTo((24 * 8) * 255.0 / 219, org.assertj.core.data.Offset.offset(4.0));
    }

    @ParameterizedTest
    @CsvSource({
        "160, 0, 160, 120",
        "0, 60, 80, 60",
        "100, 100, 100, 75",
        "1000, 100, 133, 100",
        "640, 480, 640, 480",
        "99, 0, 99, 74"
    })
    void scalingKeepsTheAspectRatio(int width, int height, int expectedWidth, int expectedHeight) throws Exception {
        JpegPicture p = JpegSnapshotter.snapshot(Codec.H264, List.of(h264.keyframe()),
                JpegOptions.of(Picture.FIRST).withSize(width, height), System.nanoTime() + LONG);

        assertThat(p.width()).isEqualTo(expectedWidth);
        assertThat(p.height()).isEqualTo(expectedHeight);
        BufferedImage img = image(p);
        assertThat(img.getWidth()).isEqualTo(expectedWidth);
        assertThat(img.getHeight()).isEqualTo(expectedHeight);
    }

    @Test
    void overlayTextIsDrawnInTheTopLeftCorner() throws Exception {
        List<ByteBuffer> key = List.of(ramp.keyframe()); // a black picture
        JpegOptions options = JpegOptions.of(Picture.FIRST);

        BufferedImage plain = image(JpegSnapshotter.snapshot(Codec.H264, key, options, System.nanoTime() + LONG));
        BufferedImage text = image(JpegSnapshotter.snapshot(Codec.H264, key, options.withOverlayText("CAM-1 2026"),
                System.nanoTime() + LONG));

        assertThat(brightPixels(plain, 0, 0, 320, 240)).isZero();
        // 10 glyphs of 8x8 from (6, 6): the box is (4, 4) to (88, 16).
        assertThat(brightPixels(text, 4, 4, 88, 16)).isGreaterThan(100);
        assertThat(brightPixels(text, 0, 24, 320, 240)).isZero();
    }

    @Test
    void quantizerScaleTradesSizeForQuality() throws Exception {
        List<ByteBuffer> key = List.of(h264.keyframe());
        JpegOptions options = JpegOptions.of(Picture.FIRST);

        int best = JpegSnapshotter.snapshot(Codec.H264, key, options.withQuality(2), System.nanoTime() + LONG).jpeg().length;
        int worst = JpegSnapshotter.snapshot(Codec.H264, key, options.withQuality(31), System.nanoTime() + LONG).jpeg().length;

        assertThat(best).isGreaterThan(2 * worst);
    }

    @Test
    void garbageIsRefusedWithDecodeException() {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);

        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, List.of(ByteBuffer.wrap(garbage)),
                JpegOptions.of(Picture.FIRST), System.nanoTime() + LONG))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("H264");
    }

    @Test
    void framesWithoutTheirKeyframeGiveNoPicture() {
        List<ByteBuffer> gop = h264.gop(0);
        List<ByteBuffer> withoutKeyframe = gop.subList(1, gop.size());

        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, withoutKeyframe, JpegOptions.of(Picture.LAST),
                System.nanoTime() + LONG))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason())
                        .isIn(DecodeException.Reason.NO_PICTURE, DecodeException.Reason.INVALID_INPUT));
    }

    @Test
    void truncatedKeyframeFailsCleanly() {
        ByteBuffer key = h264.keyframe();
        ByteBuffer half = key.duplicate().limit(key.position() + key.remaining() / 2).slice();

        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, List.of(half), JpegOptions.of(Picture.FIRST),
                System.nanoTime() + LONG))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void h265DataIsNotDecodedAsH264() {
        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, List.of(h265.keyframe()),
                JpegOptions.of(Picture.FIRST), System.nanoTime() + LONG))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void passedDeadlineFailsBeforeDecoding() {
        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, List.of(h264.keyframe()),
                JpegOptions.of(Picture.FIRST), System.nanoTime() - 1))
                .isInstanceOf(TimeoutException.class);
    }

    @Test
    void deadlineStopsALongDecodeBetweenFrames() throws Exception {
        TestMedia.Stream big = TestMedia.generate("testsrc-1280x720-long", Codec.H264, "testsrc=size=1280x720:rate=25",
                12, 300, "-preset", "ultrafast");
        List<ByteBuffer> gop = big.gop(0);
        assertThat(gop).hasSize(300);
        long allFrames = timeToDecode(gop);
        long budget = Math.max(TimeUnit.MILLISECONDS.toNanos(20), allFrames / 10);

        long start = System.nanoTime();
        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, gop, JpegOptions.of(Picture.LAST), start + budget))
                .isInstanceOf(TimeoutException.class);
        long took = System.nanoTime() - start;

        // Stops at the first check after the deadline: well before the full decode.
        assertThat(took).isLessThan(budget + allFrames / 2);
    }

    @Test
    void optionsAreValidated() {
        JpegOptions o = JpegOptions.of(Picture.FIRST);
        assertThatThrownBy(() -> o.withSize(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withSize(0, JpegOptions.MAX_DIMENSION + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withQuality(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withDecoderThreads(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(o.withOverlayText("   ").overlayText()).isNull();
        assertThat(o.withOverlayText("x".repeat(300)).overlayText()).hasSize(JpegOptions.MAX_OVERLAY_LENGTH);
        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.AAC, List.of(ByteBuffer.allocate(1)), o, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JpegSnapshotter.snapshot(Codec.H264, List.of(), o, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Whether the access unit's first picture NAL unit is RASL (H.265 types 8, 9). */
    private static boolean isRasl(ByteBuffer au) {
        for (int i = au.position(); i + 3 < au.limit(); i++) {
            if (au.get(i) == 0 && au.get(i + 1) == 0 && au.get(i + 2) == 1) {
                int type = (au.get(i + 3) >> 1) & 0x3f;
                if (type < 32) {
                    return type == 8 || type == 9;
                }
            }
        }
        return false;
    }

    private static long timeToDecode(List<ByteBuffer> gop) throws Exception {
        long start = System.nanoTime();
        JpegSnapshotter.snapshot(Codec.H264, gop, JpegOptions.of(Picture.LAST), start + LONG);
        return System.nanoTime() - start;
    }

    static BufferedImage image(JpegPicture p) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(p.jpeg()));
        assertThat(img).as("ImageIO reads the JPEG").isNotNull();
        return img;
    }

    private static double meanLuma(BufferedImage img) {
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                sum += 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
            }
        }
        return sum / (img.getWidth() * img.getHeight());
    }

    private static int brightPixels(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 8) & 0xff) > 160) {
                    n++;
                }
            }
        }
        return n;
    }

    static List<ByteBuffer> copies(List<ByteBuffer> in) {
        return new ArrayList<>(in);
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
