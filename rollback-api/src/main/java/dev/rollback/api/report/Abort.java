package dev.rollback.api.report;

import java.time.Instant;
import java.util.Objects;

/**
 * Who aborted a run, why, and when.
 *
 * @param who the person or system that aborted
 * @param reason why
 * @param at when
 */
public record Abort(String who, String reason, Instant at) {

    /** Validates. */
    public Abort {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
