package io.flux.media.rest.internal;

import io.flux.media.api.rest.FluxApi;

import jakarta.ws.rs.core.Application;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.annotations.RequireJakartarsWhiteboard;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationBase;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

/**
 * The one JAX-RS application. The whiteboard serves it under its context path {@code /api}, so with
 * the base {@code v1} every resource lives under {@value FluxApi#BASE_PATH}. Resources, filters and
 * mappers join it from any bundle with {@code @JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)}.
 */
@Component(service = Application.class)
@JakartarsApplicationBase("v1")
@JakartarsName(FluxApi.APPLICATION_NAME)
@RequireJakartarsWhiteboard
public class FluxApplication extends Application {
}
