/**
 * The runbook's database failover, the answer to its "database connection failures &gt; 50 %"
 * trigger: on Azure, a forced failover of a flexible server with high availability to its standby
 * ({@link dev.rollback.postgres.failover.FlexibleServerFailoverStep} over a
 * {@link dev.rollback.postgres.failover.HighAvailabilityControlPlane}); self-hosted, the promotion
 * of a streaming replica after fencing the old primary, so that it never takes writes again.
 */
package dev.rollback.postgres.failover;
