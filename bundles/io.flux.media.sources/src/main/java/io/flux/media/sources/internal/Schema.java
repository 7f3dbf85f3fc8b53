package io.flux.media.sources.internal;

import java.util.List;

import io.flux.media.api.persistence.Migration;

/**
 * Tables of this bundle, owned by {@value #OWNER}. The SQL is the same on H2 and PostgreSQL. Tags live in their
 * own table so that "assets with tag X" is an indexed lookup, not a scan of JSON text. The foreign key from asset
 * to source backs up the 409 the service gives for a referenced source, also against a concurrent insert.
 */
final class Schema {

    static final String OWNER = "io.flux.media.sources";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "media sources, stream assets, asset tags",
            "CREATE TABLE media_source ("
                    + "id VARCHAR(36) NOT NULL PRIMARY KEY, "
                    + "name VARCHAR(255) NOT NULL, "
                    + "path_name VARCHAR(255) NOT NULL, "
                    + "type VARCHAR(8) NOT NULL, "
                    + "url VARCHAR(2048), "
                    + "protocol VARCHAR(16) NOT NULL, "
                    + "enabled BOOLEAN NOT NULL, "
                    + "record_enabled BOOLEAN NOT NULL, "
                    + "created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                    + "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                    + "CONSTRAINT media_source_type CHECK (type IN ('pull', 'push')), "
                    + "CONSTRAINT media_source_pull_url CHECK (type <> 'pull' OR url IS NOT NULL))",
            "CREATE UNIQUE INDEX media_source_path_name ON media_source (path_name)",
            "CREATE INDEX media_source_created ON media_source (created_at, id)",
            "CREATE TABLE media_asset ("
                    + "id VARCHAR(36) NOT NULL PRIMARY KEY, "
                    + "type VARCHAR(16) NOT NULL, "
                    + "source_type VARCHAR(16) NOT NULL, "
                    + "source_id VARCHAR(36), "
                    + "path VARCHAR(255), "
                    + "name VARCHAR(255) NOT NULL, "
                    + "created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                    + "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                    + "CONSTRAINT media_asset_source FOREIGN KEY (source_id) REFERENCES media_source (id), "
                    + "CONSTRAINT media_asset_stream_source CHECK (type <> 'stream' OR source_id IS NOT NULL))",
            "CREATE INDEX media_asset_source_id ON media_asset (source_id)",
            "CREATE INDEX media_asset_created ON media_asset (created_at, id)",
            "CREATE TABLE media_asset_tag ("
                    + "asset_id VARCHAR(36) NOT NULL, "
                    + "seq INTEGER NOT NULL, "
                    + "tag VARCHAR(64) NOT NULL, "
                    + "PRIMARY KEY (asset_id, seq), "
                    + "CONSTRAINT media_asset_tag_asset FOREIGN KEY (asset_id) REFERENCES media_asset (id) "
                    + "ON DELETE CASCADE)",
            "CREATE INDEX media_asset_tag_tag ON media_asset_tag (tag)"));

    private Schema() {
    }
}
