/**
 * AssertJ assertions on Rollback's reports, so that a runbook test reads as the runbook does
 * ("succeeded, met the RTO of postgres, ran restore-clients exactly once, its client-count check
 * passed"); start from
 * {@link dev.rollback.testkit.assertions.RollbackAssertions#assertThat(dev.rollback.api.report.RollbackReport)}.
 */
package dev.rollback.testkit.assertions;
