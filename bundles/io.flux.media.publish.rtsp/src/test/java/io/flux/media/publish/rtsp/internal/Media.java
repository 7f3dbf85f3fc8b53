package io.flux.media.publish.rtsp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.AccessUnit;
import io.flux.media.codec.AnnexBReader;
import io.flux.media.testing.Ffmpeg;

/** Real encoder output cut into the samples the media core would deliver. */
final class Media {

    static final int FRAME_90K = 3600; // 25 fps

    private Media() {
    }

    /** {@code seconds} of 320x240 test pattern at 25 fps, one keyframe a second, no B-frames, as Annex B. */
    static List<VideoSample> encode(Path dir, Codec codec, int seconds) throws IOException {
        boolean hevc = codec == Codec.H265;
        Path es = dir.resolve(hevc ? "in.h265" : "in.h264");
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t",
                String.valueOf(seconds), "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0"));
        if (hevc) {
            args.addAll(List.of("-c:v", "libx265", "-x265-params", "log-level=error:bframes=0:keyint=25", "-f",
                    "hevc"));
        } else {
            args.addAll(List.of("-c:v", "libx264", "-f", "h264"));
        }
        Ffmpeg.generate(es, args.toArray(String[]::new));
        AnnexBReader reader = new AnnexBReader(ByteBuffer.wrap(Files.readAllBytes(es)), hevc);
        List<VideoSample> out = new ArrayList<>();
        AccessUnit au;
        long pts = 0;
        while ((au = reader.next()) != null) {
            out.add(new VideoSample(codec, pts, pts, au.keyframe(), au.data()));
            pts += FRAME_90K;
        }
        return out;
    }
}
