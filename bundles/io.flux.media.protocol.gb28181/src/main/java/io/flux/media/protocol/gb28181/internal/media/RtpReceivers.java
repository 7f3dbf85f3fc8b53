package io.flux.media.protocol.gb28181.internal.media;

/**
 * Where the SIP side gets a receiver for a session it is about to INVITE. Implemented by {@link RtpReceiverPool}.
 */
public interface RtpReceivers {

    /**
     * Reserves what the SDP offer needs: for UDP and TCP passive a bound local port from the configured range;
     * for TCP active nothing yet (the device's port comes with its answer).
     *
     * @throws NoMediaPortException when the range is exhausted
     */
    RtpReceiver prepare(ReceiverSpec spec) throws NoMediaPortException;
}
