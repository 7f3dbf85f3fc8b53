package io.flux.media.protocol.replay.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.codec.AccessUnit;
import io.flux.media.codec.Adts;
import io.flux.media.codec.AnnexBReader;
import io.flux.media.codec.AudioSpecificConfig;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.DecoderConfig;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;
import io.flux.media.codec.PictureOrder;
import io.flux.media.codec.SpsInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a replayable file into a {@link MediaFile}: an H.264/H.265 Annex B elementary stream or an MP4 with
 * H.264/H.265 video and optional AAC audio. The whole file is read once (files are small demo and benchmark
 * clips; the 2 GiB limit keeps int offsets) and then only sliced.
 */
final class MediaLoader {

    private static final Logger LOG = LoggerFactory.getLogger(MediaLoader.class);

    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
    static final double DEFAULT_FRAME_RATE = 25;

    private MediaLoader() {
    }

    /** The video codec a file name implies, or null when the extension is not replayable. */
    static Codec codecOf(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".h264") || name.endsWith(".264")) {
            return Codec.H264;
        }
        if (name.endsWith(".h265") || name.endsWith(".265") || name.endsWith(".hevc")) {
            return Codec.H265;
        }
        return null;
    }

    static boolean isMp4(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return name.endsWith(".mp4") || name.endsWith(".m4v") || name.endsWith(".mov");
    }

    static boolean supported(String fileName) {
        return codecOf(fileName) != null || isMp4(fileName);
    }

    /**
     * @param frameRate frames per second for Annex B streams; 0 takes the SPS timing information, else 25
     */
    static MediaFile load(Path file, double frameRate) throws IOException, CodecException {
        String name = file.getFileName().toString();
        ByteBuffer content = read(file, codecOf(name) != null);
        if (isMp4(name)) {
            try {
                return mp4(file, content);
            } catch (ArithmeticException e) {
                throw new CodecException("timestamps out of range", e);
            }
        }
        Codec codec = codecOf(name);
        if (codec == null) {
            throw new CodecException("unsupported file type: " + name);
        }
        return annexB(file, content, codec, frameRate);
    }

    private static ByteBuffer read(Path file, boolean direct) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new IOException("file larger than 2 GiB");
            }
            // Annex B payloads are pushed as slices of this buffer: direct memory spares consumers a copy on write.
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect((int) size) : ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            return buf.flip().asReadOnlyBuffer();
        }
    }

    static MediaFile annexB(Path path, ByteBuffer content, Codec codec, double frameRateOverride)
            throws CodecException {
        boolean hevc = codec == Codec.H265;
        AnnexBReader reader = new AnnexBReader(content, hevc);
        PictureOrder order = hevc ? PictureOrder.h265() : PictureOrder.h264();
        List<ByteBuffer> payloads = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        List<long[]> pocKeys = new ArrayList<>();
        boolean pocValid = true;
        SpsInfo info = null;
        CodecException spsProblem = null;
        long pocPeriod = -1;
        for (AccessUnit au = reader.next(); au != null; au = reader.next()) {
            if (payloads.isEmpty() && !au.keyframe()) {
                continue; // start on a keyframe so every loop is decodable from its first sample
            }
            if (info == null) {
                for (ByteBuffer nal : au.nals()) {
                    if (hevc ? H265.nalType(nal) == H265.NAL_SPS : H264.nalType(nal) == H264.NAL_SPS) {
                        try {
                            info = hevc ? H265.parseSps(nal) : H264.parseSps(nal);
                        } catch (CodecException e) {
                            spsProblem = e;
                        }
                        break;
                    }
                }
            }
            if (pocValid) {
                try {
                    int poc = order.next(au.nals());
                    if (order.restarted()) {
                        pocPeriod++;
                    }
                    pocKeys.add(new long[] {pocPeriod, poc, payloads.size()});
                } catch (CodecException e) {
                    pocValid = false;
                    LOG.info("{}: picture order not derivable ({}); presenting in decoding order", path,
                            e.getMessage());
                }
            }
            payloads.add(au.data());
            keys.add(au.keyframe());
        }
        if (payloads.isEmpty()) {
            throw new CodecException("no " + codec + " keyframe found in " + path.getFileName());
        }
        if (info == null) {
            throw new CodecException("no valid " + codec + " SPS found"
                    + (spsProblem == null ? "" : ": " + spsProblem.getMessage()));
        }
        double fps = frameRateOverride > 0 ? frameRateOverride
                : info.frameRate() > 0 && info.frameRate() <= 300 ? info.frameRate() : DEFAULT_FRAME_RATE;
        int n = payloads.size();
        int[] display = new int[n];
        if (pocValid) {
            pocKeys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
            for (int rank = 0; rank < n; rank++) {
                display[(int) pocKeys.get(rank)[2]] = rank;
            }
        } else {
            for (int i = 0; i < n; i++) {
                display[i] = i;
            }
        }
        // Reordering delay: enough that no picture is presented before it is decoded.
        int delay = 0;
        for (int i = 0; i < n; i++) {
            delay = Math.max(delay, i - display[i]);
        }
        long[] pts = new long[n];
        long[] dts = new long[n];
        byte[] kinds = new byte[n];
        double tick = MediaSample.CLOCK_RATE / fps;
        for (int i = 0; i < n; i++) {
            dts[i] = Math.round(i * tick);
            pts[i] = Math.round((display[i] + delay) * tick);
            kinds[i] = keys.get(i) ? MediaFile.KEYFRAME : MediaFile.VIDEO;
        }
        return new MediaFile(path, MediaFile.Container.ANNEX_B, codec, info.width(), info.height(), info.profile(),
                fps, null, 0, 0, payloads.toArray(ByteBuffer[]::new), pts, dts, kinds, Math.round(n * tick));
    }

    static MediaFile mp4(Path path, ByteBuffer content) throws CodecException {
        Mp4Demuxer.Movie movie = Mp4Demuxer.parse(content);
        Mp4Demuxer.Track video = null;
        Mp4Demuxer.Track audio = null;
        for (Mp4Demuxer.Track t : movie.tracks()) {
            if (video == null && t.handler().equals("vide") && codecOfEntry(t.format()) != null) {
                video = t;
            } else if (audio == null && t.handler().equals("soun")) {
                audio = t;
            }
        }
        if (video == null) {
            throw new CodecException("no H.264 or H.265 video track");
        }
        if (video.sampleCount() == 0) {
            throw new CodecException("the video track has no samples");
        }
        Codec codec = codecOfEntry(video.format());
        boolean hevc = codec == Codec.H265;
        DecoderConfig config;
        if (video.config() != null) {
            config = hevc ? DecoderConfig.parseHvcC(video.config()) : DecoderConfig.parseAvcC(video.config());
        } else if (video.format().equals("avc3") || video.format().equals("hev1")) {
            config = new DecoderConfig(4, List.of()); // parameter sets are in band
        } else {
            throw new CodecException("'" + video.format() + "' sample entry without its configuration box");
        }
        List<ByteBuffer> parameterSets = config.parameterSets();

        AudioSpecificConfig asc = null;
        if (audio != null) {
            asc = usableAac(path, audio);
        }

        // Video: length-prefixed to Annex B; keyframes without an SPS get the configuration's parameter sets.
        int vn = video.sampleCount();
        List<ByteBuffer> outPayloads = new ArrayList<>(vn);
        List<Long> outDts = new ArrayList<>(vn);
        List<Long> outPts = new ArrayList<>(vn);
        List<Byte> outKinds = new ArrayList<>(vn);
        SpsInfo info = null;
        for (ByteBuffer ps : parameterSets) {
            if (hevc ? H265.nalType(ps) == H265.NAL_SPS : H264.nalType(ps) == H264.NAL_SPS) {
                info = hevc ? H265.parseSps(ps) : H264.parseSps(ps);
                break;
            }
        }
        long ts = video.timescale();
        long videoZero = Long.MIN_VALUE;
        long periodTicks = 0;
        for (int i = 0; i < vn; i++) {
            ByteBuffer sample = content.slice((int) video.offsets()[i], video.sizes()[i]);
            List<ByteBuffer> nals = NalUnits.splitLengthPrefixed(sample, config.lengthSize());
            boolean key = hevc ? H265.isKeyframe(nals) : H264.isKeyframe(nals);
            if (videoZero == Long.MIN_VALUE) {
                if (!key) {
                    continue;
                }
                videoZero = video.dts()[i];
                periodTicks = video.duration() - videoZero;
            }
            boolean hasSps = false;
            for (ByteBuffer nal : nals) {
                int type = hevc ? H265.nalType(nal) : H264.nalType(nal);
                if (hevc ? type == H265.NAL_SPS : type == H264.NAL_SPS) {
                    hasSps = true;
                    if (info == null) {
                        info = hevc ? H265.parseSps(nal) : H264.parseSps(nal);
                    }
                }
            }
            List<ByteBuffer> units = nals;
            if (key && !hasSps && !parameterSets.isEmpty()) {
                units = new ArrayList<>(parameterSets.size() + nals.size());
                units.addAll(parameterSets);
                units.addAll(nals);
            }
            outPayloads.add(NalUnits.toAnnexB(units).asReadOnlyBuffer());
            outDts.add(scale(video.dts()[i], ts) - scale(videoZero, ts));
            outPts.add(scale(video.dts()[i] + video.ctsOffsets()[i], ts) - scale(videoZero, ts));
            outKinds.add(key ? MediaFile.KEYFRAME : MediaFile.VIDEO);
        }
        if (videoZero == Long.MIN_VALUE) {
            throw new CodecException("no keyframe in the video track");
        }
        if (info == null) {
            throw new CodecException("no SPS in the video track");
        }
        long period = Math.max(1, scale(periodTicks, ts));
        // Negative composition offsets would present a picture before it is decoded: delay presentation.
        long lead = 0;
        for (int i = 0; i < outPts.size(); i++) {
            lead = Math.max(lead, outDts.get(i) - outPts.get(i));
        }
        if (lead > 0) {
            for (int i = 0; i < outPts.size(); i++) {
                outPts.set(i, outPts.get(i) + lead);
            }
        }

        if (asc != null) {
            // Both tracks map to the movie timeline through their edit lists; output time = movie time + offset,
            // where the offset makes the first keyframe's decoding time 0.
            long offset = scale(video.editMediaTime(), ts) - scale(video.emptyEditTicks(), Math.max(1, movie.timescale()))
                    - scale(videoZero, ts) + lead;
            long audioShift = scale(audio.emptyEditTicks(), Math.max(1, movie.timescale())) - scale(audio.editMediaTime(),
                    audio.timescale());
            for (int i = 0; i < audio.sampleCount(); i++) {
                long t = scale(audio.dts()[i], audio.timescale()) + audioShift + offset;
                if (t < 0 || t >= period) {
                    continue; // before the first keyframe, or overlapping the next loop
                }
                ByteBuffer raw = content.slice((int) audio.offsets()[i], audio.sizes()[i]);
                outPayloads.add(Adts.wrap(asc, raw).asReadOnlyBuffer());
                outDts.add(t);
                outPts.add(t);
                outKinds.add(MediaFile.AUDIO);
            }
        }

        int n = outPayloads.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Delivery order: by decoding time, video before audio at the same instant.
        Arrays.sort(order, Comparator.<Integer>comparingLong(outDts::get).thenComparing(outKinds::get,
                Comparator.comparingInt(k -> k == MediaFile.AUDIO ? 1 : 0)));
        ByteBuffer[] payloads = new ByteBuffer[n];
        long[] pts = new long[n];
        long[] dts = new long[n];
        byte[] kinds = new byte[n];
        for (int i = 0; i < n; i++) {
            int k = order[i];
            payloads[i] = outPayloads.get(k);
            pts[i] = outPts.get(k);
            dts[i] = outDts.get(k);
            kinds[i] = outKinds.get(k);
        }
        double fps = vn > 0 && periodTicks > 0 ? (double) vn * ts / video.duration() : 0;
        return new MediaFile(path, MediaFile.Container.MP4, codec, info.width(), info.height(), info.profile(),
                fps, asc == null ? null : Codec.AAC, asc == null ? 0 : asc.sampleRate(),
                asc == null ? 0 : asc.channels(), payloads, pts, dts, kinds, period);
    }

    private static AudioSpecificConfig usableAac(Path path, Mp4Demuxer.Track audio) {
        if (!audio.format().equals("mp4a") || audio.config() == null) {
            LOG.info("{}: audio track '{}' is not AAC; replaying video only", path, audio.format());
            return null;
        }
        try {
            AudioSpecificConfig asc = AudioSpecificConfig.parse(audio.config());
            Adts.wrap(asc, ByteBuffer.allocate(0)); // can it be framed as ADTS at all?
            if (asc.channels() == 0) {
                throw new CodecException("channel configuration " + asc.channelConfig());
            }
            return asc;
        } catch (CodecException e) {
            LOG.info("{}: AAC track not replayable ({}); replaying video only", path, e.getMessage());
            return null;
        }
    }

    private static Codec codecOfEntry(String format) {
        return switch (format) {
            case "avc1", "avc3" -> Codec.H264;
            case "hvc1", "hev1" -> Codec.H265;
            default -> null;
        };
    }

    /** Ticks of {@code timescale} to 90 kHz, rounding toward negative infinity. */
    static long scale(long ticks, long timescale) {
        return Math.floorDiv(Math.multiplyExact(ticks, (long) MediaSample.CLOCK_RATE), timescale);
    }
}
