package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;

class SampleQueueTest {

    private static VideoSample frame(long pts, boolean key) {
        return new VideoSample(Codec.H264, pts, pts, key, ByteBuffer.wrap(new byte[] {0, 0, 1, 0x41, (byte) pts}));
    }

    private static List<Long> drain(SampleQueue q) throws InterruptedException {
        List<Long> out = new ArrayList<>();
        SampleQueue.Queued s;
        while ((s = q.poll(0)) != null) {
            out.add(s.sample().pts());
        }
        return out;
    }

    @Test
    void whenBehindTheOldestWholeGopsGoAndTheSenderResumesAtAKeyframe() throws InterruptedException {
        SampleQueue q = new SampleQueue(2, 1000);
        q.offer(frame(0, true));
        q.offer(frame(1, false));
        assertThat(q.poll(0).sample().pts()).isZero(); // the sender is inside GOP 0
        q.offer(frame(2, false));
        q.offer(frame(10, true));
        q.offer(frame(11, false));
        q.offer(frame(20, true));
        q.offer(frame(21, false));
        assertThat(q.offer(frame(30, true))).isEqualTo(1);

        assertThat(drain(q)).containsExactly(20L, 21L, 30L);
        assertThat(q.droppedGops()).isEqualTo(1);
    }

    @Test
    void aGopGrowingPastTheSampleLimitEmptiesTheQueueUntilTheNextKeyframe() throws InterruptedException {
        SampleQueue q = new SampleQueue(4, 3);
        q.offer(frame(0, true));
        q.offer(frame(1, false));
        q.offer(frame(2, false));
        assertThat(q.offer(frame(3, false))).isEqualTo(1);
        q.offer(frame(4, false));
        q.offer(frame(10, true));
        assertThat(drain(q)).containsExactly(10L);
    }

    @Test
    void samplesAreCopied() throws InterruptedException {
        SampleQueue q = new SampleQueue(2, 10);
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {0, 0, 1, 0x65, 7});
        q.offer(new VideoSample(Codec.H264, 0, 0, true, payload));
        payload.put(4, (byte) 9);
        SampleQueue.Queued queued = q.poll(0);
        assertThat(queued.sample().payload().get(4)).isEqualTo((byte) 7);
        // The sender writes from the array-backed copy: the same bytes as the sample's read-only view.
        assertThat(queued.payload().hasArray()).isTrue();
        assertThat(queued.payload().array()).isNotSameAs(payload.array());
        assertThat(queued.payload()).isEqualTo(queued.sample().payload());
    }

    @Test
    void closeWithDrainKeepsQueuedSamplesCloseWithDiscardDropsThem() throws InterruptedException {
        SampleQueue q = new SampleQueue(2, 10);
        q.offer(frame(0, true));
        q.close(false);
        q.offer(frame(1, false));
        assertThat(drain(q)).containsExactly(0L);
        assertThat(q.awaitClosed(0)).isTrue();

        SampleQueue d = new SampleQueue(2, 10);
        d.offer(frame(0, true));
        d.close(true);
        assertThat(drain(d)).isEmpty();
    }
}
