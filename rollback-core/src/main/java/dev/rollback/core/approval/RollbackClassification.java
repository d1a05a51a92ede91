package dev.rollback.core.approval;

import dev.rollback.api.internal.Arguments;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the application declares about a rollback so that the runbook's authorization rules can be
 * applied to it: which {@link ChangeType}s it reverts, how many users it affects, whether customer
 * data is affected, and whether it is planned or an emergency. Declared once per plan and bound
 * into {@link RunbookApprovalPolicy}.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never guesses: affected users must
 * be declared, so the "more than 1,000 users" rule is never skipped silently.
 */
public final class RollbackClassification {
    private final Set<ChangeType> changeTypes;
    private final long affectedUsers;
    private final boolean customerDataImpact;
    private final ApprovalPath path;

    private RollbackClassification(Builder b) {
        this.changeTypes = Collections.unmodifiableSet(EnumSet.copyOf(b.changeTypes));
        this.affectedUsers = b.affectedUsers.getAsLong();
        this.customerDataImpact = b.customerDataImpact;
        this.path = b.path;
    }

    /** A builder: planned, no customer data impact, no change type and affected users not yet declared. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(RollbackClassification base) {
        Objects.requireNonNull(base, "base");
        Builder b = new Builder()
                .affectedUsers(base.affectedUsers)
                .customerDataImpact(base.customerDataImpact)
                .path(base.path);
        b.changeTypes.addAll(base.changeTypes);
        return b;
    }

    /** The change types the rollback reverts, in the runbook's order. */
    public Set<ChangeType> changeTypes() {
        return changeTypes;
    }

    /** How many users the rollback affects. */
    public long affectedUsers() {
        return affectedUsers;
    }

    /** Whether customer data is affected (the runbook escalates such incidents immediately). */
    public boolean customerDataImpact() {
        return customerDataImpact;
    }

    /** Planned or emergency. */
    public ApprovalPath path() {
        return path;
    }

    @Override
    public String toString() {
        return "RollbackClassification[" + path + ", " + changeTypes + ", " + affectedUsers + " users"
                + (customerDataImpact ? ", customer data impact" : "") + "]";
    }

    /** Builds a {@link RollbackClassification}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Set<ChangeType> changeTypes = EnumSet.noneOf(ChangeType.class);
        private OptionalLong affectedUsers = OptionalLong.empty();
        private boolean customerDataImpact;
        private ApprovalPath path = ApprovalPath.PLANNED;

        private Builder() {}

        /** Adds a change type the rollback reverts; at least one is required. */
        public Builder addChangeType(ChangeType changeType) {
            changeTypes.add(Objects.requireNonNull(changeType, "changeType"));
            return this;
        }

        /** How many users the rollback affects; zero or more. Required. */
        public Builder affectedUsers(long affectedUsers) {
            this.affectedUsers = OptionalLong.of(Arguments.requireNotNegative(affectedUsers, "affectedUsers"));
            return this;
        }

        /** Whether customer data is affected. Default false. */
        public Builder customerDataImpact(boolean customerDataImpact) {
            this.customerDataImpact = customerDataImpact;
            return this;
        }

        /** Planned or emergency. Default {@link ApprovalPath#PLANNED}. */
        public Builder path(ApprovalPath path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Builds the classification; needs at least one change type and the affected users. */
        public RollbackClassification build() {
            if (changeTypes.isEmpty()) {
                throw new IllegalArgumentException("changeTypes must name at least one change type, but was empty");
            }
            if (affectedUsers.isEmpty()) {
                throw new IllegalArgumentException("affectedUsers must be declared, but was not set");
            }
            return new RollbackClassification(this);
        }
    }
}
