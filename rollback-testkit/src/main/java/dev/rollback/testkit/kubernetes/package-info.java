/**
 * A Kubernetes API server for tests, since no real one can run here:
 * {@link dev.rollback.testkit.kubernetes.KubernetesMockApiServer} (fabric8's CRUD mock with
 * server-side apply, namespaces that must exist, injectable {@link dev.rollback.testkit.kubernetes.KubernetesFault}s
 * and a request journal) and the {@link dev.rollback.testkit.kubernetes.DeploymentController} that
 * rolls Deployments out over time, or leaves a rollout stuck or failing on request.
 *
 * <p>fabric8 ({@code io.fabric8:kubernetes-server-mock}, {@code kubernetes-client}) is an optional
 * dependency of the testkit: a test that uses this package declares it.
 */
package dev.rollback.testkit.kubernetes;
