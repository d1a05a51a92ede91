/**
 * Internal tier of the Kubernetes provider: the one adapter over the fabric8 client
 * ({@link dev.rollback.kubernetes.internal.Kube}), the mapping of its failures, the rules for
 * Kubernetes names, the revision history of a Deployment. Not part of the API;
 * may change at any time.
 */
package dev.rollback.kubernetes.internal;
