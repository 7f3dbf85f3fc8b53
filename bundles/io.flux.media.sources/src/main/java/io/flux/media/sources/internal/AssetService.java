package io.flux.media.sources.internal;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.rest.ApiException;
import io.flux.media.sources.internal.Views.AssetView;
import io.flux.media.sources.internal.Views.PlaybackView;
import io.flux.media.sources.internal.Views.PreviewView;
import io.flux.media.sources.internal.Views.RecordStatusView;
import io.flux.media.sources.internal.Views.RecordingsView;
import io.flux.media.sources.internal.Views.StatusView;

/**
 * Stream assets: a name and tags on top of a live source. Creating one from a {@code stream_url} creates its pull
 * source in the same go (path, source row and asset row; the rows in one transaction, the path removed again if
 * that fails). Deleting an asset never touches its source or path. The stream endpoints delegate to the source.
 */
@Component(service = AssetService.class)
public class AssetService {

    static final int MAX_TAGS = 32;
    static final int MAX_TAG = 64;

    private static final Logger LOG = LoggerFactory.getLogger(AssetService.class);

    private final SourceService sources;
    private final AssetStore store;

    @Activate
    public AssetService(@Reference Database database, @Reference SourceService sources) {
        // SourceService applied the migrations (it owns both tables) before it was registered.
        this.sources = sources;
        this.store = new AssetStore(database.dataSource());
    }

    AssetView create(AssetRequest r) {
        if (r == null) {
            throw ApiException.badRequest("a JSON body {type, source_type, name, stream_url, tags} or "
                    + "{source_id, name, tags} is required");
        }
        Problems p = new Problems();
        if (r.type() != null && !AssetRow.STREAM.equals(r.type())) {
            p.add("type", "must be stream");
        }
        if (r.source_type() != null && !AssetRow.LIVE.equals(r.source_type())) {
            p.add("source_type", "must be live");
        }
        String name = SourceRules.name(r.name(), true, p);
        List<String> tags = tags(r.tags(), p);
        boolean byUrl = r.stream_url() != null;
        if (byUrl && r.source_id() != null) {
            p.add("source_id", "give either stream_url (a new source) or source_id (an existing one), not both");
        } else if (!byUrl && r.source_id() == null) {
            p.add("stream_url", "stream_url or source_id is required");
        }
        Instant now = sources.now();
        SourceRow newSource = null;
        if (byUrl && !p.has("source_id")) {
            newSource = sourceFor(name, r.stream_url(), now, p);
        }
        p.throwIfAny();

        if (newSource != null) {
            SourceRow source = newSource;
            AssetRow asset = new AssetRow(UUID.randomUUID().toString(), AssetRow.STREAM, AssetRow.LIVE, source.id(),
                    source.pathName(), name, tags, now, now);
            sources.create(source, c -> {
                store.insert(c, asset);
                return null;
            });
            LOG.info("created asset {} with new source {} (path {})", asset.id(), source.id(), source.pathName());
            return AssetView.of(asset);
        }
        SourceRow source = sources.require(r.source_id());
        AssetRow asset = new AssetRow(UUID.randomUUID().toString(), AssetRow.STREAM, AssetRow.LIVE, source.id(),
                source.pathName(), name, tags, now, now);
        try {
            Jdbc.inTransaction(sourcesDataSource(), c -> {
                store.insert(c, asset);
                return null;
            });
        } catch (SQLException e) {
            if (Jdbc.isConstraintViolation(e)) {
                // The source went away between the lookup and the insert (the foreign key caught it).
                throw SourceService.unknownSource(r.source_id());
            }
            throw SourceService.database(e, null);
        }
        LOG.info("created asset {} on source {}", asset.id(), source.id());
        return AssetView.of(asset);
    }

    PageView<AssetView> list(String type, String sourceId, String tag, String q, int page, int pageSize) {
        try {
            return store.list(type, sourceId, tag, q, page, pageSize).map(AssetView::of);
        } catch (SQLException e) {
            throw SourceService.database(e, null);
        }
    }

    AssetView get(String id) {
        return AssetView.of(require(id));
    }

    /** Changes name and/or tags; the rest of an asset is fixed (change the source instead). */
    AssetView update(String id, AssetRequest r) {
        if (r == null) {
            throw ApiException.badRequest("a JSON body {name, tags} is required");
        }
        AssetRow current = require(id);
        Problems p = new Problems();
        if (r.type() != null && !r.type().equals(current.type())) {
            p.add("type", "cannot be changed");
        }
        if (r.source_type() != null && !r.source_type().equals(current.sourceType())) {
            p.add("source_type", "cannot be changed");
        }
        if (r.source_id() != null && !r.source_id().equals(current.sourceId())) {
            p.add("source_id", "cannot be changed (create a new asset)");
        }
        if (r.stream_url() != null) {
            p.add("stream_url", "cannot be changed here (PUT /api/v1/sources/" + current.sourceId() + " changes "
                    + "the source's url)");
        }
        String name = r.name() == null ? current.name() : SourceRules.name(r.name(), false, p);
        List<String> tags = r.tags() == null ? current.tags() : tags(r.tags(), p);
        p.throwIfAny();
        AssetRow next = new AssetRow(current.id(), current.type(), current.sourceType(), current.sourceId(),
                current.path(), name, tags, current.createdAt(), sources.now());
        try {
            if (!Jdbc.inTransaction(sourcesDataSource(), c -> store.update(c, next))) {
                throw unknownAsset(id);
            }
        } catch (SQLException e) {
            throw SourceService.database(e, null);
        }
        return AssetView.of(next);
    }

    /** Deletes the asset only; its source and path stay. */
    void delete(String id) {
        try {
            if (!store.delete(id)) {
                throw unknownAsset(id);
            }
        } catch (SQLException e) {
            throw SourceService.database(e, null);
        }
        LOG.info("deleted asset {}", id);
    }

    // ---- the stream endpoints, delegated to the source ----

    PreviewView preview(String id) {
        return sources.preview(sourceId(id));
    }

    StatusView status(String id) {
        return sources.status(sourceId(id));
    }

    RecordStatusView record(String id, boolean on) {
        return sources.record(sourceId(id), on);
    }

    RecordStatusView recordStatus(String id) {
        return sources.recordStatus(sourceId(id));
    }

    RecordingsView recordings(String id) {
        return sources.recordings(sourceId(id));
    }

    PlaybackView playback(String id, Instant start, Duration duration) {
        return sources.playback(sourceId(id), start, duration);
    }

    // ---- internals ----

    private String sourceId(String assetId) {
        AssetRow a = require(assetId);
        if (a.sourceId() == null) {
            throw ApiException.conflict("asset " + assetId + " has no source");
        }
        return a.sourceId();
    }

    private AssetRow require(String id) {
        try {
            return store.find(id).orElseThrow(() -> unknownAsset(id));
        } catch (SQLException e) {
            throw SourceService.database(e, null);
        }
    }

    private javax.sql.DataSource sourcesDataSource() {
        return store.dataSource();
    }

    private static ApiException unknownAsset(String id) {
        return ApiException.notFound("unknown asset " + id);
    }

    /** The pull source a {@code stream_url} asset gets; the source's problems are reported under the asset's fields. */
    private static SourceRow sourceFor(String name, String streamUrl, Instant now, Problems p) {
        try {
            return SourceRules.forCreate(new SourceRequest(name == null ? "stream" : name, SourceRow.PULL,
                    streamUrl, null, true, false), now);
        } catch (ApiException e) {
            for (Map.Entry<String, Object> d : e.details().entrySet()) {
                switch (d.getKey()) {
                    case "url" -> p.add("stream_url", String.valueOf(d.getValue()));
                    case "protocol" -> p.add("stream_url", String.valueOf(d.getValue()));
                    default -> {
                        // name: reported already under the asset's own check
                    }
                }
            }
            return null;
        }
    }

    /** Trimmed, non-blank, at most {@value #MAX_TAG} characters each and {@value #MAX_TAGS} in all; duplicates once. */
    static List<String> tags(List<String> tags, Problems p) {
        if (tags == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String t : tags) {
            String s = t == null ? "" : t.strip();
            if (s.isEmpty()) {
                p.add("tags", "must not contain empty tags");
            } else if (s.length() > MAX_TAG) {
                p.add("tags", "has a tag longer than " + MAX_TAG + " characters");
            } else if (s.chars().anyMatch(Character::isISOControl)) {
                p.add("tags", "must not contain control characters");
            } else {
                out.add(s);
            }
        }
        if (out.size() > MAX_TAGS) {
            p.add("tags", "has more than " + MAX_TAGS + " tags");
        }
        return new ArrayList<>(out);
    }
}
