package io.flux.media.api.gb28181;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The GB28181 platform behind {@code /api/v1/gb28181/*}: either embedded (SIP and RTP in this process)
 * or remote (forwarded to a {@code flux-gb28181d} media node). The REST resource depends on this
 * interface alone, so both backends serve the same API.
 * <p>
 * Methods block until the device answers or the backend's timeout passes; failures are
 * {@link Gb28181Exception}s whose {@link Gb28181Exception.Reason} decides the HTTP status.
 */
@ProviderType
public interface Gb28181Backend {

    /** Service property: {@code embedded} or {@code remote}. */
    String KIND = "flux.gb28181.backend";

    /** {@code embedded} or {@code remote}. */
    String kind();

    /** Every known device, online or not, ordered by id. */
    List<DeviceView> devices();

    /** One device; empty when unknown. */
    Optional<DeviceView> device(String deviceId);

    /** The channels last reported by the device's catalog; {@code UNKNOWN_DEVICE} when the device is unknown. */
    List<ChannelView> channels(String deviceId);

    /**
     * Queries the device's catalog, aggregates the answers (several MESSAGEs with {@code SumNum}) and stores the
     * channels. A timeout after some answers returns what arrived ({@link CatalogResult#complete()} false); a
     * timeout with none is {@code TIMEOUT}.
     */
    CatalogResult catalog(DeviceRequest request);

    DeviceInfoResult deviceInfo(DeviceRequest request);

    DeviceStatusResult deviceStatus(DeviceRequest request);

    /**
     * Starts live media from a channel, or returns the session already playing it ({@link SessionView#existing()}
     * true). Returns once the device accepted the INVITE; media may arrive later.
     */
    SessionView invite(InviteRequest request);

    /** Ends a session by call id, or by device and channel; returns it as ended. */
    SessionView bye(ByeRequest request);

    /** Sessions live now, then recently ended ones (with why they ended), newest first. */
    List<SessionView> sessions();
}
