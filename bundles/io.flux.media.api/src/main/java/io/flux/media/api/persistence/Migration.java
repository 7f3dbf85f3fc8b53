package io.flux.media.api.persistence;

import java.util.List;
import java.util.Objects;

/**
 * One versioned schema change. {@code statements} run in order inside one transaction; where H2 and
 * PostgreSQL need different SQL, give {@code postgresqlStatements} (empty means: same as
 * {@code statements}).
 */
public record Migration(int version, String description, List<String> statements, List<String> postgresqlStatements) {

    public Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1");
        }
        Objects.requireNonNull(description, "description");
        statements = List.copyOf(statements);
        postgresqlStatements = List.copyOf(postgresqlStatements);
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("migration " + version + " has no statements");
        }
    }

    /** A migration whose SQL is the same for every dialect. */
    public static Migration of(int version, String description, String... statements) {
        return new Migration(version, description, List.of(statements), List.of());
    }

    public List<String> statementsFor(Database.Dialect dialect) {
        return dialect == Database.Dialect.POSTGRESQL && !postgresqlStatements.isEmpty()
                ? postgresqlStatements : statements;
    }
}
