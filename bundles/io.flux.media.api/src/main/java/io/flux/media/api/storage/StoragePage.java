package io.flux.media.api.storage;

import java.util.List;

/** One page of a listing; {@code nextToken} is null on the last page. */
public record StoragePage(List<StorageObject> objects, String nextToken) {

    public StoragePage {
        objects = List.copyOf(objects);
    }
}
