package dev.rollback.core.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One moment of an incident's timeline: when, what kind of moment, and what happened. Immutable.
 *
 * @param at when
 * @param kind what kind of moment
 * @param what what happened, for a reader (escaped by each renderer)
 */
public record TimelineEntry(Instant at, Kind kind, String what) {

    /** The kinds of moment. */
    public enum Kind {
        /** The breach began (the trigger's first breaching evaluation). */
        BREACH,
        /** The trigger decided, and the incident opened. */
        DECISION,
        /** The run was authorized. */
        AUTHORIZATION,
        /** The incident's severity was raised. */
        SEVERITY_CHANGE,
        /** An escalation tier was paged. */
        ESCALATION,
        /** A stakeholder group was told. */
        NOTIFICATION,
        /** A step started. */
        STEP_STARTED,
        /** A step ended. */
        STEP_ENDED,
        /** Recovery was verified and the incident resolved. */
        RECOVERED
    }

    /** Validates. */
    public TimelineEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(what, "what");
    }
}
