package io.flux.media.protocol.gb28181.internal.media;

import org.slf4j.MDC;

/**
 * The MDC keys of this bundle's log lines about devices and sessions, and a scope that sets a session's keys for
 * a block. Here rather than beside the SIP side so that the receivers can use it without depending on that side.
 */
public final class LogContext {

    public static final String DEVICE = "device_id";
    public static final String CHANNEL = "channel_id";
    public static final String CALL = "call_id";
    public static final String STREAM = "stream_id";

    private LogContext() {
    }

    /** The MDC keys of a block; closing removes them. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Sets a session's keys until the scope closes; a null value (a call id not allocated yet) is left out. */
    public static Scope session(String deviceId, String channelId, String callId, String streamId) {
        MDC.MDCCloseable device = put(DEVICE, deviceId);
        MDC.MDCCloseable channel = put(CHANNEL, channelId);
        MDC.MDCCloseable call = put(CALL, callId);
        MDC.MDCCloseable stream = put(STREAM, streamId);
        return () -> {
            close(stream);
            close(call);
            close(channel);
            close(device);
        };
    }

    private static MDC.MDCCloseable put(String key, String value) {
        return value == null ? null : MDC.putCloseable(key, value);
    }

    private static void close(MDC.MDCCloseable c) {
        if (c != null) {
            c.close();
        }
    }
}
