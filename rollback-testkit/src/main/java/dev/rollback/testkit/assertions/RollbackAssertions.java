package dev.rollback.testkit.assertions;

import dev.rollback.api.Verification;
import dev.rollback.api.report.RollbackReport;

/**
 * Entry point of the AssertJ assertions on Rollback's reports, in AssertJ's style:
 *
 * <pre>{@code
 * import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
 *
 * assertThat(report).succeeded().metRto("app-service").ranExactlyOnce("swap")
 *         .skipped("warm-cache", "dependency")
 *         .verification("health").passed().hasEvidenceContaining("200");
 * }</pre>
 */
public final class RollbackAssertions {
    private RollbackAssertions() {}

    /** Assertions on a report. */
    public static RollbackReportAssert assertThat(RollbackReport actual) {
        return new RollbackReportAssert(actual);
    }

    /** Assertions on one verification. */
    public static VerificationAssert assertThat(Verification actual) {
        return new VerificationAssert(actual);
    }
}
