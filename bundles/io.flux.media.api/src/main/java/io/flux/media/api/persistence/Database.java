package io.flux.media.api.persistence;

import java.util.List;

import javax.sql.DataSource;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform database every stateful bundle uses: an embedded H2 file database by default,
 * PostgreSQL by configuration. Bundles own their tables and bring them up to date with
 * {@link #migrate(String, List)} when they activate.
 */
@ProviderType
public interface Database {

    /** A pooled data source; callers close the connections they take. */
    DataSource dataSource();

    Dialect dialect();

    /**
     * Applies, in version order, the migrations of {@code owner} (by convention the owning bundle's
     * symbolic name) that have not been applied yet, each in its own transaction. Safe to call again:
     * applied versions are skipped; an applied migration whose SQL changed fails with
     * {@link MigrationException} instead of silently diverging.
     *
     * @return the versions applied by this call
     */
    List<Integer> migrate(String owner, List<Migration> migrations) throws MigrationException;

    /** The versions applied so far for {@code owner}, ascending. */
    List<Integer> appliedVersions(String owner);

    /** SQL dialects the platform supports. */
    enum Dialect { H2, POSTGRESQL }
}
