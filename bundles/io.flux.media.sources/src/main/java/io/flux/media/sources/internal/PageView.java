package io.flux.media.sources.internal;

import java.util.List;
import java.util.function.Function;

/** One page of a list: {@code page} counts from 1; {@code item_count} items in all over {@code page_count} pages. */
public record PageView<T>(int page, int page_size, long item_count, int page_count, List<T> items) {

    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    static <T> PageView<T> of(int page, int pageSize, long total, List<T> items) {
        int pages = (int) ((total + pageSize - 1) / pageSize);
        return new PageView<>(page, pageSize, total, pages, List.copyOf(items));
    }

    <R> PageView<R> map(Function<T, R> f) {
        return new PageView<>(page, page_size, item_count, page_count, items.stream().map(f).toList());
    }
}
