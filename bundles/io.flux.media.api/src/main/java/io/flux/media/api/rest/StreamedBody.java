package io.flux.media.api.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method whose body is not JSON but a large stream (a bundle jar, a media file).
 * The application's global {@code request.max.bytes} limit does not apply to it; the method bounds
 * what it reads itself and answers 413 past its own limit.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface StreamedBody {
}
