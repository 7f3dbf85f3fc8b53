package io.flux.media.api.storage;

/**
 * Backend health. {@code freeBytes} and {@code totalBytes} are -1 when the backend cannot tell
 * (object stores); {@code message} says why a backend is not {@code available}.
 */
public record StorageHealth(boolean available, long freeBytes, long totalBytes, String message) {
}
