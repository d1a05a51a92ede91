/**
 * Azure App Service rollback, as the runbook's "App Service Rollback" does it: route production
 * traffic to the backup slot, check that slot is running, swap it into production, and verify the
 * health endpoint. Start at {@link dev.rollback.azure.appservice.AppServiceRollback}.
 */
package dev.rollback.azure.appservice;
