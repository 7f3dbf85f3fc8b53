package io.flux.media.api.rest;

/**
 * Names every REST resource bundle uses to join the one JAX-RS application at {@code /api/v1}:
 * <pre>
 * &#64;JakartarsResource
 * &#64;JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
 * &#64;Path("streams")
 * </pre>
 */
public final class FluxApi {

    /** {@code osgi.jakartars.name} of the application. */
    public static final String APPLICATION_NAME = "flux.api";

    /** Target filter selecting the application. */
    public static final String APPLICATION_SELECT = "(osgi.jakartars.name=" + APPLICATION_NAME + ")";

    /** Path prefix every resource is served under. */
    public static final String BASE_PATH = "/api/v1";

    private FluxApi() {
    }
}
