package io.flux.media.api.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.flux.media.api.security.Role;

/**
 * The role a resource method (or every method of a resource class) needs. Without it, GET and HEAD
 * need {@link Role#VIEWER} and everything else {@link Role#ADMIN}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface RequiresRole {
    Role value();
}
