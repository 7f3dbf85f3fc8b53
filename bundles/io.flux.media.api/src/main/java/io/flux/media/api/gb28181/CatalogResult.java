package io.flux.media.api.gb28181;

import java.util.List;

/**
 * The outcome of a catalog query.
 *
 * @param sum_num  the total the device announced ({@code SumNum})
 * @param complete false when the query timed out before {@code sum_num} items arrived
 */
public record CatalogResult(String device_id, int sum_num, boolean complete, List<ChannelView> channels) {
}
