package io.flux.media.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.flux.media.api.rest.ApiException;

/** Copies a request body to a file, refusing (413) anything larger than the configured limit. */
final class UploadReceiver {

    private UploadReceiver() {
    }

    /**
     * @param declaredLength the Content-Length, or -1 when the client did not send one (chunked)
     * @return {@code target}, holding the body
     */
    static Path receive(InputStream body, long declaredLength, long limit, Path target) {
        if (declaredLength > limit) {
            throw tooLarge(limit);
        }
        if (body == null) {
            throw ApiException.badRequest("the request has no body: send the jar as application/java-archive");
        }
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(target)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
        if (total == 0) {
            throw ApiException.badRequest("not an OSGi bundle: the request body is empty");
        }
        return target;
    }

    static long contentLength(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "payload_too_large",
                "the jar is larger than the upload limit of " + limit + " bytes (upload.max.bytes)",
                Map.of("limit_bytes", limit), null);
    }
}
