/**
 * Kubernetes rollback, as the runbook's "Frontend Application Rollback" and "API Server Rollback" do
 * it: a Deployment's image rolled back to its previous revision or to a named image, a stable manifest
 * applied server-side, a Deployment scaled, its rollout verified, traffic moved by a Service selector
 * (blue/green) or a Gateway API route, the CDN's static assets purged, the service's health checked.
 * Start at {@link dev.rollback.kubernetes.KubernetesRollback}.
 */
package dev.rollback.kubernetes;
