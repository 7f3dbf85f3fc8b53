package io.flux.media.recording.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.codec.Adts;
import io.flux.media.codec.AdtsHeader;
import io.flux.media.codec.AudioSpecificConfig;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.NalUnits;

/**
 * Writes one fragmented MP4 segment: a video track (timescale 90 kHz) and, when audio arrives before the first
 * fragment is written, one audio track (timescale = its sample rate). A fragment ends before every keyframe and
 * whenever it would grow longer than the fragment limit, so every keyframe starts a fragment whose moof offset
 * the keyframe index records. Video decode times are relative to the segment's first keyframe.
 * <p>
 * The output receives whole chunks and owns them afterwards: sample data is copied once, from the sample's
 * payload into the fragment buffer, which the output writes out before the buffer is reused. Not thread-safe.
 */
final class SegmentWriter {

    /**
     * Receives the segment's bytes. {@code data} is only valid during the call: the writer reuses its buffers, so a
     * stream's memory stays at about one fragment however long it records.
     */
    interface Output {
        void write(byte[] data, int length) throws IOException;
    }

    /** A fragment that starts with a keyframe: decode time (90 kHz, relative) and the byte offset of its moof. */
    record Keyframe(long relativeDts, long moofOffset) {
    }

    static final int VIDEO_TRACK = 1;
    static final int AUDIO_TRACK = 2;
    /** Audio held while no video sample arrives to cut the fragment, at most. */
    static final int MAX_PENDING_AUDIO_SECONDS = 10;
    /** Used for the very last video sample when nothing follows to measure it (40 ms). */
    static final int DEFAULT_VIDEO_DURATION = 3600;

    private final VideoConfig video;
    private final Output out;
    private final long baseDts;
    private final long fragmentMaxTicks;
    private final AudioFormat audioHint;

    private final TrackFragment videoFrag;
    private TrackFragment audioFrag;
    private Codec audioCodec;
    private int audioRate;
    private int audioChannels;
    private ByteBuffer audioConfig;
    private long audioNextDecodeTime = -1;

    private boolean initWritten;
    private int sequence;
    private long written;
    private long lastDts = Long.MIN_VALUE;
    private int previousDuration;
    private int finalDuration;
    private long fragmentStartDts;
    private int gops;
    private final List<Keyframe> keyframes = new ArrayList<>();
    private final BoxBuffer header = new BoxBuffer(4096);

    /**
     * @param baseDts          decode time of the segment's first keyframe (90 kHz)
     * @param fragmentMaxTicks longest fragment in 90 kHz ticks before a cut between keyframes
     * @param audioHint        the stream's audio format when the media core knows it (AAC decoder config), or null
     */
    SegmentWriter(VideoConfig video, long baseDts, long fragmentMaxTicks, AudioFormat audioHint, Output out) {
        this.video = video;
        this.baseDts = baseDts;
        this.fragmentMaxTicks = Math.max(1, fragmentMaxTicks);
        this.audioHint = audioHint;
        this.out = out;
        this.videoFrag = new TrackFragment(VIDEO_TRACK, true, 256 * 1024);
    }

    VideoConfig video() {
        return video;
    }

    long baseDts() {
        return baseDts;
    }

    /** Bytes handed to the output plus bytes waiting in the open fragment. */
    long size() {
        return written + videoFrag.dataLength() + (audioFrag != null ? audioFrag.dataLength() : 0);
    }

    long writtenBytes() {
        return written;
    }

    int gops() {
        return gops;
    }

    int keyframeCount() {
        return keyframes.size();
    }

    List<Keyframe> keyframes() {
        return List.copyOf(keyframes);
    }

    /** Decode time of the last video sample, or {@code Long.MIN_VALUE} before the first. */
    long lastDts() {
        return lastDts;
    }

    /** Duration so far in 90 kHz ticks, up to the last video sample's decode time. */
    long durationTicks() {
        return lastDts == Long.MIN_VALUE ? 0 : lastDts - baseDts;
    }

    /**
     * Adds a video access unit (Annex B). {@code dts} must increase; the caller checks. The first sample must be a
     * keyframe.
     */
    void addVideo(long pts, long dts, boolean keyframe, ByteBuffer annexB) throws IOException {
        if (lastDts == Long.MIN_VALUE && !keyframe) {
            throw new IllegalStateException("a segment starts with a keyframe");
        }
        if (lastDts != Long.MIN_VALUE) {
            previousDuration = clampDuration(dts - lastDts);
            videoFrag.setLastDuration(previousDuration);
            if (keyframe || dts - fragmentStartDts >= fragmentMaxTicks) {
                flush();
            }
        }
        if (videoFrag.isEmpty()) {
            fragmentStartDts = dts;
        }
        int before = videoFrag.data.position();
        for (ByteBuffer nal : NalUnits.splitAnnexB(annexB)) {
            if (!SampleEntries.dropFromSample(video.codec(), nal)) {
                videoFrag.data.u32(nal.remaining());
                videoFrag.data.bytes(nal);
            }
        }
        int size = videoFrag.data.position() - before;
        long cto = pts - dts;
        videoFrag.add(dts - baseDts, size, keyframe ? Fmp4.FLAGS_SYNC : Fmp4.FLAGS_NON_SYNC,
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cto)));
        lastDts = dts;
        if (keyframe) {
            gops++;
        }
    }

    /**
     * Adds an audio frame. The first one (before the first fragment is written) defines the audio track; frames of
     * another codec or format, frames before the segment start and frames arriving once the file was started
     * without audio are dropped.
     */
    void addAudio(AudioSample sample) {
        if (audioCodec == null) {
            if (initWritten || !setUpAudio(sample)) {
                return;
            }
        } else if (sample.codec() != audioCodec || sample.sampleRate() != audioRate
                || sample.channels() != audioChannels) {
            return;
        }
        long relative = sample.pts() - baseDts;
        if (relative < 0) {
            return;
        }
        ByteBuffer payload = sample.payload();
        int duration;
        if (audioCodec == Codec.AAC) {
            payload = stripAdts(payload);
            duration = 1024;
        } else {
            duration = Math.max(1, payload.remaining() / audioChannels);
        }
        if (!payload.hasRemaining()) {
            return;
        }
        long decodeTime = relative * audioRate / MediaSample.CLOCK_RATE;
        if (!audioFrag.isEmpty() && audioFrag.endDecodeTime() - audioFrag.baseDecodeTime() > MAX_PENDING_AUDIO_SECONDS
                * (long) audioRate) {
            // Fragments are cut by video; without video for this long, audio is not buffered without bound.
            return;
        }
        if (audioFrag.isEmpty()) {
            // Keep audio contiguous through timestamp jitter; a real gap (over two frames) stays a gap.
            if (audioNextDecodeTime >= 0 && decodeTime < audioNextDecodeTime + 2L * duration) {
                decodeTime = audioNextDecodeTime;
            }
        }
        int before = audioFrag.data.position();
        audioFrag.data.bytes(payload);
        audioFrag.add(decodeTime, audioFrag.data.position() - before, Fmp4.FLAGS_SYNC, 0);
        audioFrag.setLastDuration(duration);
    }

    private boolean setUpAudio(AudioSample s) {
        ByteBuffer config = null;
        if (s.codec() == Codec.AAC) {
            if (audioHint != null && audioHint.codec() == Codec.AAC && audioHint.decoderConfig().hasRemaining()) {
                config = audioHint.decoderConfig();
            } else if (isAdts(s.payload())) {
                try {
                    config = Adts.parse(s.payload()).audioSpecificConfig();
                } catch (CodecException e) {
                    return false;
                }
            } else {
                int channelConfig = s.channels() <= 6 ? s.channels() : s.channels() == 8 ? 7 : 0;
                if (channelConfig == 0 || AudioSpecificConfig.indexOfRate(s.sampleRate()) < 0) {
                    return false;
                }
                config = new AudioSpecificConfig(2, s.sampleRate(), channelConfig, s.channels()).encode();
            }
        } else if (s.codec() != Codec.G711A && s.codec() != Codec.G711U) {
            return false;
        }
        audioCodec = s.codec();
        audioRate = s.sampleRate();
        audioChannels = s.channels();
        audioConfig = config;
        audioFrag = new TrackFragment(AUDIO_TRACK, false, 16 * 1024);
        return true;
    }

    private static boolean isAdts(ByteBuffer b) {
        return b.remaining() >= Adts.HEADER_LENGTH && (b.get(b.position()) & 0xFF) == 0xFF
                && (b.get(b.position() + 1) & 0xF6) == 0xF0;
    }

    private static ByteBuffer stripAdts(ByteBuffer payload) {
        if (!isAdts(payload)) {
            return payload;
        }
        try {
            AdtsHeader h = Adts.parse(payload);
            int end = Math.min(payload.limit(), payload.position() + h.frameLength());
            return payload.duplicate().position(payload.position() + h.headerLength()).limit(end);
        } catch (CodecException e) {
            return ByteBuffer.allocate(0);
        }
    }

    private static int clampDuration(long ticks) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ticks));
    }

    /**
     * Writes the open fragment (and the file header before the first). The last video sample's duration must have
     * been set by the caller (the next sample's arrival or {@link #finish()}).
     */
    private void flush() throws IOException {
        if (videoFrag.isEmpty() && (audioFrag == null || audioFrag.isEmpty())) {
            return;
        }
        if (!initWritten) {
            writeInit();
        }
        List<Fmp4.Run> runs = new ArrayList<>(2);
        if (!videoFrag.isEmpty()) {
            runs.add(videoFrag.run());
        }
        if (audioFrag != null && !audioFrag.isEmpty()) {
            runs.add(audioFrag.run());
        }
        long moofOffset = written;
        boolean startsWithKeyframe = !videoFrag.isEmpty() && videoFrag.firstFlags() == Fmp4.FLAGS_SYNC;
        header.reset();
        Fmp4.fragmentHeader(header, ++sequence, runs);
        int headerLength = header.position();
        out.write(header.array(), headerLength);
        written += headerLength;
        if (startsWithKeyframe) {
            keyframes.add(new Keyframe(videoFrag.baseDecodeTime(), moofOffset));
        }
        emit(videoFrag);
        if (audioFrag != null) {
            if (!audioFrag.isEmpty()) {
                audioNextDecodeTime = audioFrag.endDecodeTime();
            }
            emit(audioFrag);
        }
    }

    private void emit(TrackFragment frag) throws IOException {
        if (frag.isEmpty()) {
            return;
        }
        int length = frag.dataLength();
        out.write(frag.data.array(), length);
        written += length;
        frag.clear();
    }

    private void writeInit() throws IOException {
        List<Fmp4.Track> tracks = new ArrayList<>(2);
        tracks.add(new Fmp4.Track(VIDEO_TRACK, true, MediaSample.CLOCK_RATE, video.width(), video.height(),
                video.sampleEntry()));
        if (audioCodec != null) {
            byte[] entry = audioCodec == Codec.AAC
                    ? SampleEntries.mp4a(AUDIO_TRACK, audioRate, audioChannels, audioConfig)
                    : SampleEntries.g711(audioCodec, audioRate, audioChannels);
            tracks.add(new Fmp4.Track(AUDIO_TRACK, false, audioRate, 0, 0, entry));
        }
        byte[] init = Fmp4.init(tracks);
        out.write(init, init.length);
        written += init.length;
        initWritten = true;
    }

    /**
     * Writes what is pending. {@code lastVideoDuration} is the duration of the last video sample in 90 kHz ticks, or
     * a value of zero or less to repeat the previous sample's.
     */
    void finish(long lastVideoDuration) throws IOException {
        if (!videoFrag.isEmpty()) {
            finalDuration = lastVideoDuration > 0 ? clampDuration(lastVideoDuration)
                    : previousDuration > 0 ? previousDuration : DEFAULT_VIDEO_DURATION;
            videoFrag.setLastDuration(finalDuration);
        }
        flush();
    }

    /** Total duration in 90 kHz ticks once {@link #finish(long)} ran: last decode time plus its duration. */
    long finishedDurationTicks() {
        return durationTicks() + finalDuration;
    }
}
