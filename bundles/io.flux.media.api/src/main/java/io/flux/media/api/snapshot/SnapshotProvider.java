package io.flux.media.api.snapshot;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Turns frames into a JPEG. The keyframe and decode providers are separate bundles; the snapshot
 * service picks one by {@link #mode()} and falls back when a provider is gone.
 */
@ConsumerType
public interface SnapshotProvider {

    /** Service property: the mode this provider serves ({@code keyframe} or {@code decode}). */
    String MODE = "flux.snapshot.mode";

    SnapshotMode mode();

    /** Decodes asynchronously; the stage fails with the cause when the frames cannot be decoded. */
    CompletionStage<Snapshot> snapshot(SnapshotRequest request);
}
