/**
 * What every Azure provider of Rollback shares, so that no Azure call of a step is sent twice by
 * accident or waits past the step's deadline: {@link dev.rollback.azure.DeadlineAwareRetryPolicy}
 * (the HTTP pipeline's retry policy: never re-sends a change that may have reached Azure, never waits
 * longer than the step has left), {@link dev.rollback.azure.AzureCall} (one call of a step: what it
 * does, whether it may be sent twice, the deadline that bounds it),
 * {@link dev.rollback.azure.AzureOperations} (long-running operations polled inside the deadline,
 * reporting progress), {@link dev.rollback.azure.AzureFailures} (one mapping of SDK failures:
 * transient, credential problem, indeterminate outcome), {@link dev.rollback.azure.RetryAfter} and
 * {@link dev.rollback.azure.AzurePipelines} (the check a provider runs on a pre-built client), and
 * {@link dev.rollback.azure.EntraAccessTokens} (Microsoft Entra ID tokens as the password of a
 * passwordless PostgreSQL or Redis login, refreshed before they expire).
 */
package dev.rollback.azure;
