package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class AudioTest {

    @Test
    void audioSpecificConfigRoundTrip() throws Exception {
        AudioSpecificConfig lc = new AudioSpecificConfig(2, 48000, 2, 2);
        assertThat(lc.encode()).isEqualTo(Bits.of(0x11, 0x90));
        assertThat(AudioSpecificConfig.parse(lc.encode())).isEqualTo(lc);
        AudioSpecificConfig odd = new AudioSpecificConfig(2, 12345, 1, 1);
        assertThat(AudioSpecificConfig.parse(odd.encode())).isEqualTo(odd);
        AudioSpecificConfig escaped = new AudioSpecificConfig(42, 44100, 2, 2);
        assertThat(AudioSpecificConfig.parse(escaped.encode())).isEqualTo(escaped);
    }

    @Test
    void badAudioSpecificConfigs() {
        assertThatThrownBy(() -> AudioSpecificConfig.parse(Bits.of(0x00, 0x00))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> AudioSpecificConfig.parse(Bits.of(0x17, 0x90))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> AudioSpecificConfig.parse(Bits.of(0x11))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> AudioSpecificConfig.parse(ByteBuffer.allocate(0)))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void adtsWrapAndParse() throws Exception {
        AudioSpecificConfig asc = new AudioSpecificConfig(2, 44100, 2, 2);
        ByteBuffer frame = Adts.wrap(asc, ByteBuffer.wrap(new byte[371]));
        AdtsHeader h = Adts.parse(frame);
        assertThat(h.sampleRate()).isEqualTo(44100);
        assertThat(h.channels()).isEqualTo(2);
        assertThat(h.frameLength()).isEqualTo(378);
        assertThat(h.headerLength()).isEqualTo(7);
        assertThat(h.payloadLength()).isEqualTo(371);
        assertThat(h.audioSpecificConfig()).isEqualTo(asc.encode());
        assertThat(frame.position()).isZero();
    }

    @Test
    void adtsSplitAndItsErrors() throws Exception {
        AudioSpecificConfig asc = new AudioSpecificConfig(2, 8000, 1, 1);
        ByteBuffer two = ByteBuffer.allocate(7 + 10 + 7 + 20);
        two.put(Adts.wrap(asc, ByteBuffer.allocate(10))).put(Adts.wrap(asc, ByteBuffer.allocate(20))).flip();
        assertThat(Adts.split(two)).extracting(ByteBuffer::remaining).containsExactly(17, 27);
        assertThatThrownBy(() -> Adts.split(two.slice(0, 30))).isInstanceOf(CodecException.class)
                .hasMessageContaining("truncated");
        assertThat(Adts.split(ByteBuffer.allocate(0))).isEmpty();
    }

    @Test
    void rejectsBadAdtsHeaders() {
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xF1, 0x50))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xE1, 0x50, 0x80, 0, 0x1F, 0xFC)))
                .hasMessageContaining("sync");
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xF3, 0x50, 0x80, 2, 0x1F, 0xFC)))
                .hasMessageContaining("layer");
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xF1, 0x7C, 0x80, 2, 0x1F, 0xFC)))
                .hasMessageContaining("frequency");
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xF1, 0x50, 0x00, 2, 0x1F, 0xFC)))
                .hasMessageContaining("channel");
        assertThatThrownBy(() -> Adts.parse(Bits.of(0xFF, 0xF1, 0x50, 0x80, 0, 0x1F, 0xFC)))
                .hasMessageContaining("shorter");
        assertThatThrownBy(() -> Adts.wrap(new AudioSpecificConfig(2, 12345, 2, 2), ByteBuffer.allocate(1)))
                .isInstanceOf(CodecException.class);
    }
}
