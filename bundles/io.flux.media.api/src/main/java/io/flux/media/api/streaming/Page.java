package io.flux.media.api.streaming;

import java.util.List;

/** One page of a list: {@code item_count} items in all over {@code page_count} pages. */
public record Page<T>(int item_count, int page_count, List<T> items) {
}
