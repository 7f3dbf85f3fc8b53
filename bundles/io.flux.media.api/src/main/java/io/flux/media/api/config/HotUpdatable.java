package io.flux.media.api.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares which fields of a component's configuration apply live. Every other field of its
 * configuration PID is restart-only: a PATCH touching one answers 409, and a change arriving another
 * way (Web Console, a file in {@code config/}) is held back from the running component and reported
 * under {@code pending_restart} until the server restarts.
 * <p>
 * Put it on the component class next to {@code @Designate}; the field names are the configuration
 * property keys as stored in Config Admin (a Config method {@code log_level()} is the key
 * {@code log.level}: bnd maps {@code _} to {@code .}).
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HotUpdatable {

    /** Prefix of the component property this annotation produces. */
    String PREFIX_ = "flux.config.";

    /** The component property carrying the hot fields: {@value}. */
    String PROPERTY = "flux.config.hot.updatable";

    /** Configuration property keys (as stored in Config Admin) that apply live. */
    String[] value();
}
