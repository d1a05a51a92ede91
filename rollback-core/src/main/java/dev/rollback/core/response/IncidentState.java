package dev.rollback.core.response;

/** Where an incident stands in its {@link IncidentResponse}. */
public enum IncidentState {
    /** A manual-review decision opened it; nothing runs until a person approves a plan. */
    AWAITING_APPROVAL,
    /** Its plan is running (or resuming) on this node. */
    RUNNING,
    /** The plan succeeded; the post-rollback checks and the trigger signals are being verified. */
    VERIFYING,
    /** Verified recovered: resolved, heightened monitoring applied, stakeholders told. Final. */
    RECOVERED,
    /**
     * The plan failed, or recovery was not verified in time: the incident stays open (paging goes
     * on) until a person resolves it. Final for this node's automation.
     */
    NOT_RECOVERED,
    /** Another node holds the incident; this one stands by to take it over if that node dies. */
    STANDBY,
    /** Another node handled it: this node's decision joined that incident and ran nothing. Final. */
    HANDLED_ELSEWHERE;

    /** Whether the incident will not change on this node without a person. */
    public boolean isFinal() {
        return this == RECOVERED || this == NOT_RECOVERED || this == HANDLED_ELSEWHERE;
    }
}
