/**
 * The PostgreSQL provider's entry point, {@link dev.rollback.postgres.PostgresRollback} (the
 * runbook's database objectives and its database-failover plan fragments), and its shared pieces:
 * where a database is and how to log in to it ({@link dev.rollback.postgres.PostgresEndpoint}, the
 * password a {@link dev.rollback.api.Secret}), the data source an application borrows connections
 * from so that a rollback can repoint it ({@link dev.rollback.postgres.SwitchableDataSource}) and the
 * step that does so ({@link dev.rollback.postgres.ConnectionSwitchStep}). The steps and verifiers
 * themselves are in the {@code backup}, {@code restore}, {@code failover}, {@code verify},
 * {@code signal} and {@code coordination} subpackages.
 */
package dev.rollback.postgres;
