/**
 * HTTP checks shared by the providers: the runbook's {@code curl -f .../health} as a
 * {@link dev.rollback.http.HealthCheckVerifier}. Depends on the API and the JDK's HttpClient only.
 */
package dev.rollback.http;
