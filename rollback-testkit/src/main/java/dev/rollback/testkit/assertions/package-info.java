/**
 * AssertJ assertions on Rollback's reports; start from
 * {@link dev.rollback.testkit.assertions.RollbackAssertions#assertThat(dev.rollback.api.report.RollbackReport)}.
 */
package dev.rollback.testkit.assertions;
