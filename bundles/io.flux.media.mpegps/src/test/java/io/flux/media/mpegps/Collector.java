package io.flux.media.mpegps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;

/** Collects the samples a demuxer emits. */
final class Collector implements SampleListener {

    final List<VideoSample> video = new ArrayList<>();
    final List<AudioSample> audio = new ArrayList<>();

    @Override
    public void onSample(MediaSample sample) {
        switch (sample) {
            case VideoSample v -> video.add(v);
            case AudioSample a -> audio.add(a);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    byte[] videoBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        video.forEach(v -> out.writeBytes(bytes(v.payload())));
        return out.toByteArray();
    }

    byte[] audioBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        audio.forEach(a -> out.writeBytes(bytes(a.payload())));
        return out.toByteArray();
    }

    List<Boolean> keyframes() {
        return video.stream().map(VideoSample::keyframe).toList();
    }

    List<Long> videoPts() {
        return video.stream().map(VideoSample::pts).toList();
    }

    Path writeVideo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, videoBytes());
        return file;
    }
}
