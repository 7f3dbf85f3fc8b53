package io.flux.media.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Checksum and lock-key properties that need no database. */
class MigratorTest {

    @Test
    void checksumIsSha256HexOfTheStatements() {
        String a = Migrator.checksum(List.of("CREATE TABLE t (id INT)"));

        assertThat(a).hasSize(64).matches("[0-9a-f]+");
        assertThat(Migrator.checksum(List.of("CREATE TABLE t (id INT)"))).isEqualTo(a);
        assertThat(Migrator.checksum(List.of("CREATE TABLE t (id BIGINT)"))).isNotEqualTo(a);
    }

    @Test
    void checksumSeesWhereStatementsAreSplit() {
        assertThat(Migrator.checksum(List.of("ab", "c"))).isNotEqualTo(Migrator.checksum(List.of("a", "bc")));
        assertThat(Migrator.checksum(List.of("abc"))).isNotEqualTo(Migrator.checksum(List.of("ab", "c")));
    }

    @Test
    void lockKeysAreStablePerOwner() {
        assertThat(Migrator.lockKey("io.flux.media.a")).isEqualTo(Migrator.lockKey("io.flux.media.a"));
        assertThat(Migrator.lockKey("io.flux.media.a")).isNotEqualTo(Migrator.lockKey("io.flux.media.b"));
        assertThat(Migrator.lockKey("")).isNotEqualTo(Migrator.lockKey("io.flux.media.a"));
    }
}
