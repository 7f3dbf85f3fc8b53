package io.flux.media.sources.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

/** {@code media_asset} rows and their {@code media_asset_tag}s. Methods taking a connection join its transaction. */
final class AssetStore {

    private static final String COLUMNS = "a.id, a.type, a.source_type, a.source_id, a.path, a.name, a.created_at, "
            + "a.updated_at";

    private final DataSource dataSource;

    AssetStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    DataSource dataSource() {
        return dataSource;
    }

    Optional<AssetRow> find(String id) throws SQLException {
        return Jdbc.read(dataSource, c -> {
            List<AssetRow> rows = query(c, " WHERE a.id = ?", List.of(id), "", List.of());
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        });
    }

    void insert(Connection c, AssetRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO media_asset (id, type, source_type, source_id, "
                + "path, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.type());
            ps.setString(3, r.sourceType());
            ps.setString(4, r.sourceId());
            ps.setString(5, r.path());
            ps.setString(6, r.name());
            Jdbc.setInstant(ps, 7, r.createdAt());
            Jdbc.setInstant(ps, 8, r.updatedAt());
            ps.executeUpdate();
        }
        insertTags(c, r);
    }

    /** Stores name and tags; false when the row is gone. */
    boolean update(Connection c, AssetRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE media_asset SET name = ?, updated_at = ? "
                + "WHERE id = ?")) {
            ps.setString(1, r.name());
            Jdbc.setInstant(ps, 2, r.updatedAt());
            ps.setString(3, r.id());
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM media_asset_tag WHERE asset_id = ?")) {
            ps.setString(1, r.id());
            ps.executeUpdate();
        }
        insertTags(c, r);
        return true;
    }

    boolean delete(String id) throws SQLException {
        return Jdbc.inTransaction(dataSource, c -> {
            // Explicitly, though the foreign key cascades: not every copy of the schema may have been made by us.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM media_asset_tag WHERE asset_id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM media_asset WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** One page (from 1), oldest first; every filter is optional; {@code nameContains} ignores case. */
    PageView<AssetRow> list(String type, String sourceId, String tag, String nameContains, int page, int pageSize)
            throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (type != null) {
            where.append(" AND a.type = ?");
            args.add(type);
        }
        if (sourceId != null) {
            where.append(" AND a.source_id = ?");
            args.add(sourceId);
        }
        if (tag != null) {
            where.append(" AND EXISTS (SELECT 1 FROM media_asset_tag t WHERE t.asset_id = a.id AND t.tag = ?)");
            args.add(tag);
        }
        if (nameContains != null) {
            where.append(" AND LOWER(a.name) LIKE ? ESCAPE '!'");
            args.add(Jdbc.likeContains(nameContains.toLowerCase(Locale.ROOT)));
        }
        return Jdbc.read(dataSource, c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM media_asset a" + where)) {
                SourceStore.bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<AssetRow> rows = query(c, where.toString(), args,
                    " ORDER BY a.created_at, a.id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
                    List.of((long) (page - 1) * pageSize, pageSize));
            return PageView.of(page, pageSize, total, rows);
        });
    }

    private static List<AssetRow> query(Connection c, String where, List<Object> args, String tail,
            List<Number> paging) throws SQLException {
        Map<String, AssetRow> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM media_asset a" + where + tail)) {
            int n = SourceStore.bind(ps, args);
            for (Number p : paging) {
                ps.setLong(++n, p.longValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AssetRow r = new AssetRow(rs.getString("id"), rs.getString("type"), rs.getString("source_type"),
                            rs.getString("source_id"), rs.getString("path"), rs.getString("name"), List.of(),
                            Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
                    rows.put(r.id(), r);
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> tags = tags(c, rows.keySet());
        return rows.values().stream().map(r -> new AssetRow(r.id(), r.type(), r.sourceType(), r.sourceId(), r.path(),
                r.name(), tags.getOrDefault(r.id(), List.of()), r.createdAt(), r.updatedAt())).toList();
    }

    private static Map<String, List<String>> tags(Connection c, java.util.Set<String> ids) throws SQLException {
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT asset_id, tag FROM media_asset_tag WHERE asset_id IN ("
                + marks + ") ORDER BY asset_id, seq")) {
            SourceStore.bind(ps, new ArrayList<>(ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }

    private static void insertTags(Connection c, AssetRow r) throws SQLException {
        if (r.tags().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO media_asset_tag (asset_id, seq, tag) "
                + "VALUES (?, ?, ?)")) {
            for (int i = 0; i < r.tags().size(); i++) {
                ps.setString(1, r.id());
                ps.setInt(2, i);
                ps.setString(3, r.tags().get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
