package io.flux.media.api.gb28181;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The GB28181 platform behind {@code /api/v1/gb28181/*}: either embedded (SIP and RTP in this process)
 * or remote (forwarded to a {@code flux-gb28181d} media node). The REST resource depends on this
 * interface alone, so both backends serve the same API.
 */
@ConsumerType
public interface Gb28181Backend {

    /** Service property: {@code embedded} or {@code remote}. */
    String KIND = "flux.gb28181.backend";

    /** {@code embedded} or {@code remote}. */
    String kind();
}
