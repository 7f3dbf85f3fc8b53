package io.flux.media.core.internal;

import static io.flux.media.core.internal.Samples.annexB;
import static io.flux.media.core.internal.Samples.aud;
import static io.flux.media.core.internal.Samples.idr;
import static io.flux.media.core.internal.Samples.nalTypes;
import static io.flux.media.core.internal.Samples.pps;
import static io.flux.media.core.internal.Samples.slice;
import static io.flux.media.core.internal.Samples.sps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.CodecException;

class VideoTrackTest {

    private final VideoTrack track = new VideoTrack();

    private static VideoSample h264(boolean flag, ByteBuffer... nals) {
        return new VideoSample(Codec.H264, 0, 0, flag, annexB(nals));
    }

    @Test
    void parsesTheFormatFromTheSps() throws CodecException {
        VideoSample out = track.process(h264(true, sps(640, 480), pps(0), idr(100)));

        assertThat(out).isNotNull();
        assertThat(track.format().codec()).isEqualTo(Codec.H264);
        assertThat(track.format().width()).isEqualTo(640);
        assertThat(track.format().height()).isEqualTo(480);
        assertThat(track.format().profile()).isEqualTo("Constrained Baseline");
        assertThat(track.format().parameterSets()).containsExactly(sps(640, 480), pps(0));
    }

    @Test
    void keyframeWithItsParameterSetsPassesUnchanged() throws CodecException {
        VideoSample in = h264(true, aud(), sps(320, 240), pps(0), idr(100));

        assertThat(track.process(in)).isSameAs(in);
    }

    @Test
    void prependsCachedParameterSetsToKeyframesLackingThem() throws CodecException {
        track.process(h264(true, sps(320, 240), pps(0), idr(100)));
        track.process(h264(false, slice(50)));

        VideoSample bare = track.process(h264(true, aud(), idr(120)));

        assertThat(bare.keyframe()).isTrue();
        assertThat(nalTypes(bare.payload())).containsExactly(9, 7, 8, 5);
        assertThat(io.flux.media.codec.NalUnits.splitAnnexB(bare.payload()))
                .containsExactly(aud(), sps(320, 240), pps(0), idr(120));
    }

    @Test
    void keyframeWithOnlySomeParameterSetsGetsTheFullCachedSet() throws CodecException {
        track.process(h264(true, sps(320, 240), pps(0), pps(1), idr(100)));

        VideoSample out = track.process(h264(true, pps(1), idr(100)));

        assertThat(nalTypes(out.payload())).containsExactly(7, 8, 8, 5);
    }

    @Test
    void parameterSetsOnlySampleIsCachedButNotForwarded() throws CodecException {
        assertThat(track.process(h264(false, sps(320, 240), pps(0)))).isNull();
        assertThat(track.skip()).isEqualTo(VideoTrack.Skip.NO_PICTURE);

        VideoSample out = track.process(h264(true, idr(100)));

        assertThat(nalTypes(out.payload())).containsExactly(7, 8, 5);
        assertThat(track.format().width()).isEqualTo(320);
    }

    @Test
    void framesBeforeTheFirstKeyframeAreSkipped() throws CodecException {
        assertThat(track.process(h264(false, slice(50)))).isNull();
        assertThat(track.skip()).isEqualTo(VideoTrack.Skip.BEFORE_KEYFRAME);
        assertThat(track.started()).isFalse();

        assertThat(track.process(h264(true, sps(320, 240), pps(0), idr(100)))).isNotNull();
        assertThat(track.process(h264(false, slice(50)))).isNotNull();
    }

    @Test
    void keyframeWithoutAnyParameterSetIsSkipped() throws CodecException {
        assertThat(track.process(h264(true, idr(100)))).isNull();
        assertThat(track.skip()).isEqualTo(VideoTrack.Skip.NO_PARAMETER_SETS);
        assertThat(track.started()).isFalse();
    }

    @Test
    void keyframeFlagIsDerivedFromTheNalUnits() throws CodecException {
        VideoSample idrClaimedDelta = track.process(h264(false, sps(320, 240), pps(0), idr(100)));
        assertThat(idrClaimedDelta.keyframe()).isTrue();

        VideoSample deltaClaimedKey = track.process(h264(true, slice(50)));
        assertThat(deltaClaimedKey.keyframe()).isFalse();
    }

    @Test
    void corruptInputThrowsAndLeavesTheCacheAlone() throws CodecException {
        track.process(h264(true, sps(320, 240), pps(0), idr(100)));

        assertThatThrownBy(() -> track.process(new VideoSample(Codec.H264, 0, 0, false,
                ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> track.process(h264(false, ByteBuffer.wrap(new byte[] {(byte) 0xC1, 0x11}))))
                .isInstanceOf(CodecException.class);
        ByteBuffer truncatedSps = sps(640, 480).limit(4);
        assertThatThrownBy(() -> track.process(h264(true, truncatedSps, pps(0), idr(100))))
                .isInstanceOf(CodecException.class);

        assertThat(track.format().width()).isEqualTo(320);
        assertThat(track.format().parameterSets()).containsExactly(sps(320, 240), pps(0));
        assertThat(nalTypes(track.process(h264(true, idr(10))).payload())).containsExactly(7, 8, 5);
    }

    @Test
    void newSpsChangesTheFormat() throws CodecException {
        track.process(h264(true, sps(320, 240), pps(0), idr(100)));
        track.process(h264(true, sps(1280, 720), pps(0), idr(100)));

        assertThat(track.format().width()).isEqualTo(1280);
        assertThat(track.format().height()).isEqualTo(720);
        assertThat(track.format().parameterSets()).containsExactly(sps(1280, 720), pps(0));
    }

    @Test
    void codecChangeStartsOver() throws CodecException {
        track.process(h264(true, sps(320, 240), pps(0), idr(100)));

        // An H.265 TRAIL_R slice (type 1) with nothing known about H.265 yet.
        ByteBuffer trail = ByteBuffer.wrap(new byte[] {0x02, 0x01, (byte) 0x80, 0x55});
        assertThat(track.process(new VideoSample(Codec.H265, 0, 0, false, annexB(trail)))).isNull();

        assertThat(track.skip()).isEqualTo(VideoTrack.Skip.BEFORE_KEYFRAME);
        assertThat(track.format()).isNull();
    }
}
