package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;

/**
 * A check with a name that passes or fails with evidence: a health endpoint's status, a table
 * count against its baseline, an orphan count. Runs after its step (inside the step's deadline)
 * or after the whole plan.
 *
 * <p>A verifier reports a failed check as a failed {@link Verification}; it throws only when it
 * could not check at all (and that also fails the verification, with the error as evidence).
 * Implementations are called from executor threads and must be safe to call more than once.
 */
public interface Verifier {

    /** The name of the check, as it appears in the report ("health-endpoint", "table-counts"). */
    String name();

    /** Runs the check. */
    Verification verify(StepContext context) throws Exception;

    /**
     * Whether this check only reads (queries, GETs). Dry runs run read-only verifiers and report
     * what they see; a verifier that writes (a restore test into a scratch database) says false.
     * Default: true.
     */
    default boolean readOnly() {
        return true;
    }

    /** A verifier made of a name and a lambda. */
    static Verifier of(String name, Check check) {
        Objects.requireNonNull(check, "check");
        String checkedName = Arguments.requireText(name, "name");
        return new Verifier() {
            @Override
            public String name() {
                return checkedName;
            }

            @Override
            public Verification verify(StepContext context) throws Exception {
                return check.verify(context);
            }

            @Override
            public String toString() {
                return "Verifier[" + checkedName + "]";
            }
        };
    }

    /** The body of a verifier made with {@link #of(String, Check)}. */
    @FunctionalInterface
    interface Check {
        /** Runs the check. */
        Verification verify(StepContext context) throws Exception;
    }
}
