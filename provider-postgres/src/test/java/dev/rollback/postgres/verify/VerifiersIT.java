package dev.rollback.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Verification;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.TestStepContext;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifiersIT {
    private PostgresEndpoint db;

    @BeforeEach
    void database() throws Exception {
        db = TestDatabases.create("verifiers");
        TestDatabases.sql(
                db,
                "CREATE TABLE \"Organization\"(id int PRIMARY KEY, code int, name text, UNIQUE (id, code))",
                "CREATE TABLE \"User\"(id int PRIMARY KEY, org int REFERENCES \"Organization\"(id),"
                        + " created_at timestamptz NOT NULL)",
                "CREATE SCHEMA \"Billing Data\"",
                "CREATE TABLE \"Billing Data\".\"line\"\"s\"(org int, \"user\" int, a int,"
                        + " FOREIGN KEY (org, a) REFERENCES \"Organization\"(id, code) MATCH SIMPLE)",
                "INSERT INTO \"Organization\" SELECT g, g * 10, 'o' || g FROM generate_series(1, 20) g",
                "INSERT INTO \"User\" SELECT g, g % 20 + 1, now() - interval '1 hour' FROM generate_series(1, 300) g",
                "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 20000) g",
                "ANALYZE");
    }

    private static TestStepContext context() {
        return TestStepContext.of("validate", Duration.ofMinutes(1));
    }

    @Test
    void referentialIntegrityFindsOrphansTheRunbooksCatalogQueryCannotSee() throws Exception {
        ReferentialIntegrityVerifier verifier = ReferentialIntegrityVerifier.of(db.dataSource());
        Verification clean = verifier.verify(context());
        assertThat(clean.passed()).isTrue();
        assertThat(clean.details()).hasSize(2);

        // data loaded with triggers off, as a restore or a replica load can do
        TestDatabases.sql(
                db,
                "SET session_replication_role = replica; "
                        + "INSERT INTO \"User\" VALUES (1001, 99, now()), (1002, 98, now()), (1003, NULL, now());"
                        + "INSERT INTO \"Billing Data\".\"line\"\"s\" VALUES (1, 0, 10), (5, 0, 6), (NULL, 0, 7)");
        Verification broken = verifier.verify(context());

        assertThat(broken.passed()).isFalse();
        assertThat(broken.details()).containsValue("2").containsValue("1");
        assertThat(broken.observed()).contains("2 orphaned rows").contains("1 orphaned rows");
    }

    @Test
    void tableCountsCompareExactlyForSmallTablesAndByStatisticsForLargeOnesAndSaySo() throws Exception {
        TableCountBaseline baseline = TableCountBaseline.capture(db.dataSource(), 10_000, Instant.now());
        assertThat(baseline.counts().get("public.User"))
                .isEqualTo(new TableCountBaseline.Count(300, TableCountBaseline.Mode.EXACT));
        assertThat(baseline.counts().get("public.big").mode()).isEqualTo(TableCountBaseline.Mode.ESTIMATE);

        TableCountVerifier verifier = TableCountVerifier.builder()
                .dataSource(db.dataSource())
                .baseline(baseline)
                .build();
        Verification same = verifier.verify(context());
        assertThat(same.passed()).isTrue();
        assertThat(same.checked()).contains("1 by statistics");
        assertThat(same.details().get("public.User")).isEqualTo("300 (exact, baseline 300)");
        assertThat(same.details().get("public.big")).contains("(estimate, baseline");

        TestDatabases.sql(db, "DELETE FROM \"User\" WHERE id > 290", "DROP TABLE \"Billing Data\".\"line\"\"s\"");
        Verification changed = verifier.verify(context());
        assertThat(changed.passed()).isFalse();
        assertThat(changed.observed())
                .contains("public.User has 290 rows, baseline 300")
                .contains("Billing Data.line\"s is missing");
    }

    @Test
    void criticalDataFailsBelowAMinimumAndCannotWrite() throws Exception {
        CriticalDataVerifier verifier = CriticalDataVerifier.builder()
                .dataSource(db.dataSource())
                .addCheck("users", "SELECT count(*) FROM \"User\"", 300)
                .addCheck("organizations", "SELECT count(*) FROM \"Organization\"", 21)
                .build();
        Verification v = verifier.verify(context());
        assertThat(v.passed()).isFalse();
        assertThat(v.details()).containsEntry("users", "300 (minimum 300)");
        assertThat(v.observed()).isEqualTo("organizations = 20 < 21");

        CriticalDataVerifier writer = CriticalDataVerifier.builder()
                .dataSource(db.dataSource())
                .addCheck("sneaky", "WITH d AS (DELETE FROM \"User\" RETURNING 1) SELECT count(*) FROM d", 0)
                .build();
        assertThatThrownBy(() -> writer.verify(context())).hasMessageContaining("read-only");
        assertThat(TestDatabases.queryLong(db, "SELECT count(*) FROM \"User\"")).isEqualTo(300);
    }

    @Test
    void restoreSanityFailsOnARowNewerThanTheTargetAndMeasuresTheRecordsLost() throws Exception {
        Instant target = Instant.now().minusSeconds(60);
        Instant lastGoodWrite = target.plusSeconds(30);
        PostgresEndpoint source = TestDatabases.create("source");
        TestDatabases.sql(source, "CREATE TABLE \"User\"(id int, created_at timestamptz NOT NULL)");
        insertAt(source, target.minusSeconds(10), 50); // kept by the restore
        insertAt(source, target.plusSeconds(5), 7); // good writes after the target: lost
        insertAt(source, target.plusSeconds(25), 3); // lost too
        insertAt(source, target.plusSeconds(45), 100); // the bad writes after the last good one: not "lost"

        RestoreSanityVerifier.Builder builder = RestoreSanityVerifier.builder()
                .restored(db.dataSource())
                .source(source.dataSource())
                .targetTime(target)
                .lastGoodWrite(lastGoodWrite)
                .addTimestampColumn("public", "User", "created_at");
        TestStepContext context = context();
        Verification v = builder.build().verify(context);

        assertThat(v.passed()).isTrue();
        assertThat(context.evidence())
                .containsEntry(EvidenceKey.RECORDS_LOST.name(), "10")
                .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT30S");

        insertAt(db, target.plusSeconds(1), 2);
        Verification newer = builder.build().verify(context());
        assertThat(newer.passed()).isFalse();
        assertThat(newer.observed()).contains("public.User.created_at: 2 rows newer than " + target);
    }

    @Test
    void restoreSanityTakesTheTargetFromTheRestoreStepsEvidence() throws Exception {
        Instant target = Instant.now().minusSeconds(7200);
        TestStepContext context =
                context().withEvidenceOf("point-in-time-restore", "restore.targetTime", target.toString());
        Verification v = RestoreSanityVerifier.builder()
                .restored(db.dataSource())
                .addTimestampColumn("public", "User", "created_at")
                .build()
                .verify(context);
        assertThat(v.passed()).isFalse();
        assertThat(v.checked()).contains(target.toString());
    }

    private static void insertAt(PostgresEndpoint endpoint, Instant at, int rows) throws Exception {
        try (var c = endpoint.connect();
                var ps = c.prepareStatement(
                        "INSERT INTO \"User\"(id, created_at) SELECT g + (SELECT coalesce(max(id), 0) FROM \"User\"), ?"
                                + " FROM generate_series(1, ?) g")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setInt(2, rows);
            ps.executeUpdate();
        }
    }
}
