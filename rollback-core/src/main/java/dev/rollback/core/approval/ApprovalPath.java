package dev.rollback.core.approval;

/**
 * The two ways the runbook lets a person authorize a manual rollback.
 *
 * <p>Immutable and thread-safe.
 */
public enum ApprovalPath {
    /**
     * A planned rollback: the decision-authority matrix rows of every change type, plus the
     * Technical Lead ("Technical Lead approval required for planned rollbacks").
     */
    PLANNED,
    /**
     * An emergency: any senior engineer, plus a notification to the security team ("Emergency
     * authorization: Any senior engineer + security team notification").
     */
    EMERGENCY
}
