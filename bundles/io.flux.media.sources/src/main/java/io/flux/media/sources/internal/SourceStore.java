package io.flux.media.sources.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/** {@code media_source} rows. Methods taking a connection join the caller's transaction. */
final class SourceStore {

    private static final String COLUMNS = "id, name, path_name, type, url, protocol, enabled, record_enabled, "
            + "created_at, updated_at";

    private final DataSource dataSource;

    SourceStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    DataSource dataSource() {
        return dataSource;
    }

    Optional<SourceRow> find(String id) throws SQLException {
        return Jdbc.read(dataSource, c -> find(c, id));
    }

    Optional<SourceRow> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM media_source WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    void insert(Connection c, SourceRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO media_source (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.name());
            ps.setString(3, r.pathName());
            ps.setString(4, r.type());
            ps.setString(5, r.url());
            ps.setString(6, r.protocol());
            ps.setBoolean(7, r.enabled());
            ps.setBoolean(8, r.recordEnabled());
            Jdbc.setInstant(ps, 9, r.createdAt());
            Jdbc.setInstant(ps, 10, r.updatedAt());
            ps.executeUpdate();
        }
    }

    /** Stores every mutable column of {@code r}; false when the row is gone. */
    boolean update(Connection c, SourceRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE media_source SET name = ?, url = ?, protocol = ?, "
                + "enabled = ?, record_enabled = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, r.name());
            ps.setString(2, r.url());
            ps.setString(3, r.protocol());
            ps.setBoolean(4, r.enabled());
            ps.setBoolean(5, r.recordEnabled());
            Jdbc.setInstant(ps, 6, r.updatedAt());
            ps.setString(7, r.id());
            return ps.executeUpdate() > 0;
        }
    }

    boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM media_source WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() > 0;
        }
    }

    /** How many assets reference the source. */
    int assetCount(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM media_asset WHERE source_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** One page (from 1) of sources, oldest first, optionally only of one type and/or enabled state. */
    PageView<SourceRow> list(String type, Boolean enabled, int page, int pageSize) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (type != null) {
            where.append(" AND type = ?");
            args.add(type);
        }
        if (enabled != null) {
            where.append(" AND enabled = ?");
            args.add(enabled);
        }
        return Jdbc.read(dataSource, c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM media_source" + where)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<SourceRow> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM media_source" + where
                    + " ORDER BY created_at, id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
                int n = bind(ps, args);
                ps.setLong(n + 1, (long) (page - 1) * pageSize);
                ps.setInt(n + 2, pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(row(rs));
                    }
                }
            }
            return PageView.of(page, pageSize, total, rows);
        });
    }

    static int bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Boolean b) {
                ps.setBoolean(i + 1, b);
            } else {
                ps.setString(i + 1, (String) a);
            }
        }
        return args.size();
    }

    private static SourceRow row(ResultSet rs) throws SQLException {
        return new SourceRow(rs.getString("id"), rs.getString("name"), rs.getString("path_name"),
                rs.getString("type"), rs.getString("url"), rs.getString("protocol"), rs.getBoolean("enabled"),
                rs.getBoolean("record_enabled"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
    }
}
