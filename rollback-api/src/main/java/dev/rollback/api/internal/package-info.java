/**
 * Internal tier shared by Rollback's own modules: argument rules, the one escaping rule for free
 * text in logs, reports and notifications ({@code SafeText}), owner-only files ({@code PrivateFiles}),
 * the allow-listed environment of child processes ({@code ChildEnvironment}), the crash-point injector and the
 * check for an optional dependency.
 *
 * <p>Not for users: nothing here is API, it may change in any release, and it is left out of the
 * javadoc. Providers and core call it so that one rule (a step id, a positive duration) is written
 * once and a provider builder rejects at the setter exactly what {@code RollbackPlan.build()} would
 * reject later.
 */
package dev.rollback.api.internal;
