package io.flux.media.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.flux.media.mpegps.GbMediaPipeline;
import io.flux.media.mpegps.PsDemuxer;
import io.flux.media.mpegps.RtpPacket;

/**
 * Throughput of the GB28181 receive path on one core: a 10 s 720p25 H.264 program stream at 2 Mbit/s from
 * GStreamer's mpegpsmux, cut into 1400-byte RTP payloads. {@code demux} feeds the payloads to a {@link PsDemuxer};
 * {@code pipeline} feeds the RTP datagrams to a {@link GbMediaPipeline} (parse, SSRC check, reorder, demux). The
 * {@code bytes} counter is PS bytes per second, {@code frames} access units per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PsDemuxBenchmark {

    private static final long SSRC = 100_000_001L;
    private static final int MAX_PAYLOAD = 1400;

    private ByteBuffer[] payloads;
    private ByteBuffer[] datagrams;
    private long streamBytes;

    /** Work done, reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;
        public long frames;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        Path ps = Path.of("target", "bench-media", "gb-720p-2mbps.ps");
        if (!Files.isRegularFile(ps)) {
            Files.createDirectories(ps.getParent());
            Path tmp = ps.resolveSibling("tmp.ps");
            Process p = new ProcessBuilder("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=250",
                    "pattern=smpte", "horizontal-speed=4", "!", "video/x-raw,width=1280,height=720,framerate=25/1", "!",
                    "x264enc", "bitrate=2000", "key-int-max=50", "speed-preset=veryfast", "!", "h264parse", "!",
                    "mpegpsmux", "!", "filesink", "location=" + tmp).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("gst-launch-1.0 failed: install gstreamer1.0-tools, -plugins-bad, -plugins-ugly");
            }
            Files.move(tmp, ps);
        }
        byte[] data = Files.readAllBytes(ps);
        streamBytes = data.length;
        List<ByteBuffer> p = new ArrayList<>();
        List<ByteBuffer> d = new ArrayList<>();
        int seq = 0;
        for (int off = 0; off < data.length; off += MAX_PAYLOAD) {
            ByteBuffer payload = ByteBuffer.wrap(data, off, Math.min(MAX_PAYLOAD, data.length - off)).slice();
            p.add(payload);
            d.add(RtpPacket.encode(96, false, seq++ & 0xFFFF, 0, SSRC, payload));
        }
        payloads = p.toArray(ByteBuffer[]::new);
        datagrams = d.toArray(ByteBuffer[]::new);
        System.out.printf("%n[setup] %s: %d bytes, %d RTP packets%n", ps, streamBytes, datagrams.length);
    }

    @Benchmark
    public void demux(Counters counters, Blackhole bh) {
        PsDemuxer demuxer = new PsDemuxer(bh::consume);
        for (ByteBuffer payload : payloads) {
            demuxer.feed(payload);
        }
        demuxer.flush();
        counters.bytes += streamBytes;
        counters.frames += demuxer.stats().videoAccessUnits();
    }

    @Benchmark
    public void pipeline(Counters counters, Blackhole bh) {
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(bh::consume);
        for (ByteBuffer datagram : datagrams) {
            pipeline.onDatagram(datagram);
        }
        pipeline.finish();
        counters.bytes += streamBytes;
        counters.frames += pipeline.stats().demux().videoAccessUnits();
    }
}
