package dev.rollback.postgres.verify;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import dev.rollback.postgres.restore.SelfHostedPointInTimeRestoreStep;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Restore sanity and the records it lost. After a point-in-time restore to a target instant, no
 * row in the configured timestamp columns ({@code created_at}, {@code updated_at}) may be newer
 * than the target; one that is means the restore did not stop where it should have, and fails the
 * check.
 *
 * <p>With the old database as {@link Builder#source(DataSource) source}, it also measures the RPO:
 * the rows in those columns of the source written after the target and up to the last good write
 * (when given; else every later row), put into the step evidence as {@link EvidenceKey#RECORDS_LOST}
 * and {@link EvidenceKey#DATA_LOSS_WINDOW} (from the target to the last good write, or to the newest
 * such row), which the report reads as "records lost".
 *
 * <p>The target comes from {@link Builder#targetTime(Instant)} or from the evidence
 * {@code restore.targetTime} of a restore step. Read-only; safe to call again. Immutable and
 * thread-safe.
 */
public final class RestoreSanityVerifier implements Verifier {

    /**
     * A timestamp column to check.
     *
     * @param schema its table's schema
     * @param table its table
     * @param column the column (timestamp or timestamptz)
     */
    public record TimestampColumn(String schema, String table, String column) {
        /** Validates. */
        public TimestampColumn {
            Arguments.requireText(schema, "schema");
            Arguments.requireText(table, "table");
            Arguments.requireText(column, "column");
        }

        @Override
        public String toString() {
            return schema + "." + table + "." + column;
        }
    }

    private final String name;
    private final DataSource restored;
    private final Optional<DataSource> source;
    private final Optional<Instant> targetTime;
    private final String restoreStepId;
    private final Optional<Instant> lastGoodWrite;
    private final List<TimestampColumn> columns;

    private RestoreSanityVerifier(Builder b) {
        this.name = b.name;
        this.restored = b.restored;
        this.source = b.source;
        this.targetTime = b.targetTime;
        this.restoreStepId = b.restoreStepId;
        this.lastGoodWrite = b.lastGoodWrite;
        this.columns = List.copyOf(b.columns);
    }

    /** A builder; the restored database and at least one timestamp column are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) throws SQLException {
        Instant target = targetTime
                .or(() -> context.evidenceOf(restoreStepId, SelfHostedPointInTimeRestoreStep.TARGET_TIME)
                        .map(Instant::parse))
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "no recovery target: set" + " targetTime or run after step " + restoreStepId
                                + " (evidence restore.targetTime)"));
        Map<String, String> details = new LinkedHashMap<>();
        List<String> newer = new ArrayList<>();
        try (Connection c = Jdbc.readOnly(restored)) {
            for (TimestampColumn column : columns) {
                long n = countAfter(c, column, target, Optional.empty());
                details.put("newerThanTarget." + column, Long.toString(n));
                if (n > 0) {
                    newer.add(column + ": " + n + " rows newer than " + target);
                }
            }
            c.rollback();
        }
        if (source.isPresent()) {
            long lost = 0;
            Instant newest = target;
            try (Connection c = Jdbc.readOnly(source.get())) {
                for (TimestampColumn column : columns) {
                    lost += countAfter(c, column, target, lastGoodWrite);
                    newest = max(newest, newestAfter(c, column, target, lastGoodWrite));
                }
                c.rollback();
            }
            Duration window = Duration.between(target, lastGoodWrite.orElse(newest));
            context.evidence(EvidenceKey.RECORDS_LOST, lost);
            context.evidence(EvidenceKey.DATA_LOSS_WINDOW, window);
            details.put(EvidenceKey.RECORDS_LOST.name(), EvidenceKey.RECORDS_LOST.write(lost));
            details.put(EvidenceKey.DATA_LOSS_WINDOW.name(), EvidenceKey.DATA_LOSS_WINDOW.write(window));
        }
        return new Verification(
                name,
                newer.isEmpty(),
                "no row in " + columns + " is newer than the recovery target " + target,
                newer.isEmpty() ? "none newer" : String.join("; ", newer),
                details);
    }

    private static long countAfter(Connection c, TimestampColumn column, Instant target, Optional<Instant> upTo)
            throws SQLException {
        try (ResultSet rs = afterTarget(c, "count(*)", column, target, upTo)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant newestAfter(Connection c, TimestampColumn column, Instant target, Optional<Instant> upTo)
            throws SQLException {
        try (ResultSet rs =
                afterTarget(c, "max(" + Jdbc.quoteIdentifier(column.column()) + ")", column, target, upTo)) {
            rs.next();
            Timestamp ts = rs.getTimestamp(1);
            return ts == null ? target : ts.toInstant();
        }
    }

    /** {@code SELECT <aggregate>} over the rows of {@code column} after {@code target} (and up to {@code upTo}). */
    private static ResultSet afterTarget(
            Connection c, String aggregate, TimestampColumn column, Instant target, Optional<Instant> upTo)
            throws SQLException {
        String col = Jdbc.quoteIdentifier(column.column());
        PreparedStatement ps = c.prepareStatement("SELECT " + aggregate + " FROM "
                + Jdbc.qualified(column.schema(), column.table()) + " WHERE " + col + " > ?"
                + (upTo.isPresent() ? " AND " + col + " <= ?" : ""));
        ps.closeOnCompletion();
        ps.setObject(1, OffsetDateTime.ofInstant(target, ZoneOffset.UTC));
        if (upTo.isPresent()) {
            ps.setObject(2, OffsetDateTime.ofInstant(upTo.get(), ZoneOffset.UTC));
        }
        return ps.executeQuery();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public String toString() {
        return "RestoreSanityVerifier[" + name + ", " + columns + "]";
    }

    /**
     * Builds a {@link RestoreSanityVerifier}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again and never changes a verifier already built.
     */
    public static final class Builder {
        private String name = "restore-sanity";
        private DataSource restored;
        private Optional<DataSource> source = Optional.empty();
        private Optional<Instant> targetTime = Optional.empty();
        private String restoreStepId = "point-in-time-restore";
        private Optional<Instant> lastGoodWrite = Optional.empty();
        private final List<TimestampColumn> columns = new ArrayList<>();

        private Builder() {}

        /** The check's name. Default: {@code restore-sanity}. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /** The restored database. Required. */
        public Builder restored(DataSource restored) {
            this.restored = Objects.requireNonNull(restored, "restored");
            return this;
        }

        /** The old database, to count the rows the restore left behind (RPO). Default: not measured. */
        public Builder source(DataSource source) {
            this.source = Optional.of(Objects.requireNonNull(source, "source"));
            return this;
        }

        /** The recovery target. Default: the evidence {@code restore.targetTime} of the restore step. */
        public Builder targetTime(Instant targetTime) {
            this.targetTime = Optional.of(Objects.requireNonNull(targetTime, "targetTime"));
            return this;
        }

        /** The restore step whose evidence names the target. Default: {@code point-in-time-restore}. */
        public Builder restoreStepId(String restoreStepId) {
            this.restoreStepId = ToolArguments.requireFileName(restoreStepId, "restoreStepId");
            return this;
        }

        /** The last write known good (before the corruption began); later rows are not counted as lost. Default: none. */
        public Builder lastGoodWrite(Instant lastGoodWrite) {
            this.lastGoodWrite = Optional.of(Objects.requireNonNull(lastGoodWrite, "lastGoodWrite"));
            return this;
        }

        /** Adds a timestamp column to check. At least one is required. */
        public Builder addTimestampColumn(String schema, String table, String column) {
            columns.add(new TimestampColumn(schema, table, column));
            return this;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if restored is missing, no column was added, or
         *     lastGoodWrite is before targetTime
         */
        public RestoreSanityVerifier build() {
            if (restored == null) {
                throw new IllegalStateException("restored is required");
            }
            if (columns.isEmpty()) {
                throw new IllegalStateException("at least one timestamp column is required (addTimestampColumn)");
            }
            if (targetTime.isPresent()
                    && lastGoodWrite.isPresent()
                    && lastGoodWrite.get().isBefore(targetTime.get())) {
                throw new IllegalStateException(
                        "lastGoodWrite " + lastGoodWrite.get() + " is before targetTime " + targetTime.get());
            }
            return new RestoreSanityVerifier(this);
        }
    }
}
