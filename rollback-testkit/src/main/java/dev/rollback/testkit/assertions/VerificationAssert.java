package dev.rollback.testkit.assertions;

import dev.rollback.api.Verification;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on one {@link Verification}; get one from
 * {@link RollbackReportAssert#verification(String)} or {@link RollbackAssertions#assertThat(Verification)}.
 */
public final class VerificationAssert extends AbstractAssert<VerificationAssert, Verification> {

    VerificationAssert(Verification actual) {
        super(actual, VerificationAssert.class);
    }

    /** The check passed. */
    public VerificationAssert passed() {
        isNotNull();
        if (!actual.passed()) {
            failWithMessage(
                    "expected verification '%s' to pass but it failed: checked '%s', observed '%s'",
                    actual.name(), actual.checked(), actual.observed());
        }
        return this;
    }

    /** The check failed. */
    public VerificationAssert failed() {
        isNotNull();
        if (actual.passed()) {
            failWithMessage(
                    "expected verification '%s' to fail but it passed: observed '%s'",
                    actual.name(), actual.observed());
        }
        return this;
    }

    /** What was observed, or one of the details, contains {@code text}. */
    public VerificationAssert hasEvidenceContaining(String text) {
        isNotNull();
        boolean found = actual.observed().contains(text)
                || actual.details().values().stream().anyMatch(v -> v.contains(text));
        if (!found) {
            failWithMessage(
                    "expected the evidence of verification '%s' to contain '%s' but it observed '%s' with details %s",
                    actual.name(), text, actual.observed(), actual.details());
        }
        return this;
    }
}
