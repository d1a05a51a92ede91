package dev.rollback.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.TestStepContext;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A verifier's configured SQL cannot write: it runs in a read-only transaction, one statement only. */
class ReadOnlyVerifierIT {

    @Test
    void aWritingQueryIsRefusedByTheReadOnlyTransactionAndChangesNothing() throws Exception {
        PostgresEndpoint db = TestDatabases.create("readonly");
        TestDatabases.sql(db, "CREATE TABLE users(id int)", "INSERT INTO users SELECT generate_series(1, 10)");
        CriticalDataVerifier verifier = CriticalDataVerifier.builder()
                .dataSource(db.dataSource())
                .addCheck("users", "WITH gone AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM gone", 0)
                .build();

        assertThatThrownBy(() -> verifier.verify(TestStepContext.of("validate", Duration.ofMinutes(1))))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("read-only transaction");
        assertThat(TestDatabases.queryLong(db, "SELECT count(*) FROM users")).isEqualTo(10);
    }

    @Test
    void aSecondStatementThatWouldCommitAndWriteIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> CriticalDataVerifier.builder()
                        .addCheck("users", "SELECT count(*) FROM users; COMMIT; DELETE FROM users", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sql must be one SQL statement");
    }
}
