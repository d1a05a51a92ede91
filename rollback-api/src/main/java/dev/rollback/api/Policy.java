package dev.rollback.api;

/**
 * Something that decides. Trigger policies turn signals into a {@link Decision}; approval
 * policies ({@link dev.rollback.api.governance.ApprovalPolicy}) decide who must authorize a run;
 * {@link RetrySettings} decide how a step is retried. Every policy has a name that reports and
 * journals refer to.
 */
public interface Policy {

    /** The name of this policy, as reports show it. */
    String name();
}
