/**
 * The public contract of Rollback: steps, verifiers, plans, objectives, decisions and the
 * context a running step sees. Applications and providers code against this package only;
 * {@code rollback-api} has no dependency at all.
 */
package dev.rollback.api;
