package io.flux.media.ffmpeg.internal;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT2020_CL;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT2020_NCL;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_move_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_BT2020;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU601;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU709;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;

import io.flux.media.api.sample.Codec;
import io.flux.media.ffmpeg.DecodeException;
import io.flux.media.ffmpeg.DecodeException.Reason;
import io.flux.media.ffmpeg.JpegOptions;
import io.flux.media.ffmpeg.JpegPicture;

/**
 * Decode, pick a picture, scale, overlay, encode MJPEG. Every native object is allocated inside a try
 * whose finally frees it, so corrupt input, a deadline or an exception never leaks.
 */
public final class JpegPipeline {

    // Macros the JavaCPP presets do not map: AVERROR(EAGAIN) with Linux's EAGAIN, and frame.h's flag.
    private static final int AVERROR_EAGAIN = -11;
    private static final int AV_FRAME_FLAG_CORRUPT = 1;

    private JpegPipeline() {
    }

    public static JpegPicture run(Codec codec, List<ByteBuffer> accessUnits, JpegOptions options, long deadline)
            throws DecodeException, TimeoutException, InterruptedException {
        Decoded decoded = decode(codec, accessUnits, options, deadline);
        try {
            checkDeadline(deadline);
            AVFrame picture = decoded.picture;
            AVRational sar = picture.sample_aspect_ratio();
            Geometry.Size size = Geometry.fit(picture.width(), picture.height(), sar.num(), sar.den(),
                    options.width(), options.height());
            byte[] jpeg = encode(picture, size, options, deadline);
            return new JpegPicture(jpeg, size.width(), size.height(), decoded.pictures, decoded.damaged);
        } finally {
            av_frame_free(decoded.picture);
        }
    }

    /** The chosen picture (owned by the caller) and what the decoder made of the input. */
    private record Decoded(AVFrame picture, int pictures, int damaged) {
    }

    private static final class DecodeState {
        int pictures;
        int damaged;
        int lastError;
    }

    private static Decoded decode(Codec codec, List<ByteBuffer> accessUnits, JpegOptions options, long deadline)
            throws DecodeException, TimeoutException, InterruptedException {
        AVCodecContext ctx = null;
        AVPacket packet = null;
        AVFrame frame = null;
        AVFrame picture = null;
        try {
            AVCodec decoder = avcodec_find_decoder(codec == Codec.H265 ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264);
            if (decoder == null || decoder.isNull()) {
                throw new DecodeException(Reason.FAILED, "this FFmpeg build has no " + codec + " decoder");
            }
            ctx = notNull(avcodec_alloc_context3(decoder), "decoder context");
            ctx.thread_count(options.decoderThreads());
            check(avcodec_open2(ctx, decoder, (AVDictionary) null), "open the " + codec + " decoder");
            packet = notNull(av_packet_alloc(), "packet");
            frame = notNull(av_frame_alloc(), "frame");
            picture = notNull(av_frame_alloc(), "frame");

            DecodeState state = new DecodeState();
            boolean first = options.picture() == JpegOptions.Picture.FIRST;
            for (ByteBuffer au : accessUnits) {
                if (first && state.pictures > 0) {
                    break;
                }
                checkDeadline(deadline);
                int size = au.remaining();
                if (size == 0) {
                    continue;
                }
                check(av_new_packet(packet, size), "allocate a packet");
                BytePointer data = packet.data();
                data.capacity(size);
                data.asBuffer().put(au.duplicate());
                int sent = avcodec_send_packet(ctx, packet);
                av_packet_unref(packet);
                if (sent < 0) {
                    // A refused access unit does not end the decode: later frames may still give a picture.
                    state.damaged++;
                    state.lastError = sent;
                    continue;
                }
                drain(ctx, frame, picture, state, first, deadline);
            }
            if (!(first && state.pictures > 0)) {
                checkDeadline(deadline);
                avcodec_send_packet(ctx, null); // flush: the decoder hands out the pictures it held back
                drain(ctx, frame, picture, state, first, deadline);
            }
            if (state.pictures == 0) {
                String what = accessUnits.size() + " access unit" + (accessUnits.size() == 1 ? "" : "s");
                if (state.lastError != 0) {
                    throw new DecodeException(Reason.INVALID_INPUT,
                            codec + " decoder refused the input (" + what + "): " + errorText(state.lastError));
                }
                throw new DecodeException(Reason.NO_PICTURE, codec + " decoder produced no undamaged picture from "
                        + what + (state.damaged > 0 ? " (" + state.damaged + " damaged)" : ""));
            }
            AVFrame result = picture;
            picture = null; // handed to the caller
            return new Decoded(result, state.pictures, state.damaged);
        } finally {
            if (picture != null) {
                av_frame_free(picture);
            }
            if (frame != null) {
                av_frame_free(frame);
            }
            if (packet != null) {
                av_packet_free(packet);
            }
            if (ctx != null) {
                avcodec_free_context(ctx);
            }
        }
    }

    /** Takes every picture the decoder has ready, keeping the newest undamaged one in {@code picture}. */
    private static void drain(AVCodecContext ctx, AVFrame frame, AVFrame picture, DecodeState state, boolean first,
            long deadline) throws TimeoutException, InterruptedException {
        while (true) {
            int r = avcodec_receive_frame(ctx, frame);
            if (r == AVERROR_EAGAIN || r == AVERROR_EOF) {
                return;
            }
            if (r < 0) {
                state.damaged++;
                state.lastError = r;
                return;
            }
            if ((frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
                state.damaged++;
                av_frame_unref(frame);
            } else {
                state.pictures++;
                av_frame_unref(picture);
                av_frame_move_ref(picture, frame);
                if (first) {
                    return;
                }
            }
            checkDeadline(deadline);
        }
    }

    private static byte[] encode(AVFrame picture, Geometry.Size size, JpegOptions options, long deadline)
            throws DecodeException, TimeoutException, InterruptedException {
        SwsContext sws = null;
        AVFrame out = null;
        AVCodecContext enc = null;
        AVPacket packet = null;
        try {
            int srcW = picture.width();
            int srcH = picture.height();
            boolean down = (long) size.width() * size.height() < (long) srcW * srcH;
            sws = sws_getContext(srcW, srcH, picture.format(), size.width(), size.height(), AV_PIX_FMT_YUVJ420P,
                    down ? SWS_AREA : SWS_BICUBIC, null, null, (DoublePointer) null);
            if (sws == null || sws.isNull()) {
                throw new DecodeException(Reason.FAILED, "cannot scale pixel format " + picture.format()
                        + " from " + srcW + "x" + srcH + " to " + size.width() + "x" + size.height());
            }
            // Video is usually limited range, JPEG full range. The destination is the (deprecated but
            // still supported) full-range YUVJ420P: with plain YUV420P at the source size, libswscale
            // takes its plane-copy shortcut and ignores the range set here.
            int srcRange = picture.color_range() == AVCOL_RANGE_JPEG || isFullRangeFormat(picture.format()) ? 1 : 0;
            sws_setColorspaceDetails(sws, sws_getCoefficients(swsColorspace(picture.colorspace())), srcRange,
                    sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);

            out = notNull(av_frame_alloc(), "frame");
            out.width(size.width());
            out.height(size.height());
            out.format(AV_PIX_FMT_YUVJ420P);
            check(av_frame_get_buffer(out, 0), "allocate the scaled picture");
            check(sws_scale(sws, picture.data(), picture.linesize(), 0, srcH, out.data(), out.linesize()), "scale");

            Overlay.Box box = Overlay.layout(size.width(), size.height(), options.overlayText());
            if (box != null) {
                drawOverlay(out, box);
            }
            checkDeadline(deadline);

            AVCodec encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
            if (encoder == null || encoder.isNull()) {
                throw new DecodeException(Reason.FAILED, "this FFmpeg build has no MJPEG encoder");
            }
            enc = notNull(avcodec_alloc_context3(encoder), "encoder context");
            enc.width(size.width());
            enc.height(size.height());
            enc.pix_fmt(AV_PIX_FMT_YUVJ420P);
            enc.color_range(AVCOL_RANGE_JPEG);
            enc.time_base().num(1).den(25);
            if (size.keepsPixelAspect()) {
                AVRational sar = picture.sample_aspect_ratio();
                if (sar.num() > 0 && sar.den() > 0) {
                    enc.sample_aspect_ratio().num(sar.num()).den(sar.den());
                }
            }
            int lambda = options.quality() * FF_QP2LAMBDA;
            enc.flags(enc.flags() | AV_CODEC_FLAG_QSCALE);
            enc.global_quality(lambda);
            check(avcodec_open2(enc, encoder, (AVDictionary) null), "open the MJPEG encoder");
            out.quality(lambda);
            out.pts(0);
            check(avcodec_send_frame(enc, out), "encode the JPEG");
            check(avcodec_send_frame(enc, null), "finish the JPEG");
            packet = notNull(av_packet_alloc(), "packet");
            check(avcodec_receive_packet(enc, packet), "receive the JPEG");
            byte[] jpeg = new byte[packet.size()];
            packet.data().get(jpeg);
            return jpeg;
        } finally {
            if (packet != null) {
                av_packet_free(packet);
            }
            if (enc != null) {
                avcodec_free_context(enc);
            }
            if (out != null) {
                av_frame_free(out);
            }
            if (sws != null) {
                sws_freeContext(sws);
            }
        }
    }

    /** Copies the box's luma out, paints it in Java, copies it back; the box's chroma becomes neutral grey. */
    private static void drawOverlay(AVFrame frame, Overlay.Box box) {
        byte[] luma = new byte[box.width() * box.height()];
        BytePointer y = frame.data(0);
        int yStride = frame.linesize(0);
        for (int row = 0; row < box.height(); row++) {
            y.position((long) (box.y() + row) * yStride + box.x()).get(luma, row * box.width(), box.width());
        }
        Overlay.paint(box, luma);
        for (int row = 0; row < box.height(); row++) {
            y.position((long) (box.y() + row) * yStride + box.x()).put(luma, row * box.width(), box.width());
        }
        byte[] grey = new byte[box.width() / 2];
        Arrays.fill(grey, (byte) 128);
        for (int plane = 1; plane <= 2; plane++) {
            BytePointer c = frame.data(plane);
            int stride = frame.linesize(plane);
            for (int row = 0; row < box.height() / 2; row++) {
                c.position((long) (box.y() / 2 + row) * stride + box.x() / 2).put(grey, 0, grey.length);
            }
        }
    }

    private static int swsColorspace(int avColorspace) {
        if (avColorspace == AVCOL_SPC_BT709) {
            return SWS_CS_ITU709;
        }
        if (avColorspace == AVCOL_SPC_BT2020_NCL || avColorspace == AVCOL_SPC_BT2020_CL) {
            return SWS_CS_BT2020;
        }
        return SWS_CS_ITU601;
    }

    private static boolean isFullRangeFormat(int format) {
        return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUVJ444P;
    }

    private static void checkDeadline(long deadline) throws TimeoutException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("snapshot decode interrupted");
        }
        if (System.nanoTime() - deadline >= 0) {
            throw new TimeoutException("snapshot decode deadline passed");
        }
    }

    private static void check(int result, String what) throws DecodeException {
        if (result < 0) {
            throw new DecodeException(Reason.FAILED, "cannot " + what + ": " + errorText(result));
        }
    }

    private static <T extends org.bytedeco.javacpp.Pointer> T notNull(T pointer, String what) throws DecodeException {
        if (pointer == null || pointer.isNull()) {
            throw new DecodeException(Reason.FAILED, "out of memory allocating the " + what);
        }
        return pointer;
    }

    static String errorText(int error) {
        byte[] buf = new byte[128];
        if (av_strerror(error, buf, buf.length) < 0) {
            return "error " + error;
        }
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, StandardCharsets.UTF_8) + " (" + error + ")";
    }
}
