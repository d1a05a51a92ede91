/**
 * The starter's implementation, not part of its API: the journal and run lock that are opened when the
 * first run needs them, the observation handler that feeds each HTTP request the application serves to the
 * trigger engine, and the reading of the application's JDBC URL into a PostgreSQL endpoint.
 */
package dev.rollback.spring.internal;
