package dev.rollback.core.approval;

import dev.rollback.api.internal.Arguments;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which roles must approve a rollback of each {@link ChangeType}: the runbook's technical and
 * business decision-authority matrices ({@link #runbook()}), or an application's own
 * ({@link #custom()}, {@link #from(AuthorityMatrix)}). Role ids are strings, so an application may
 * use roles the runbook does not name.
 *
 * <p>Immutable and thread-safe. It never looks up who holds a role: the {@link IdentityDirectory} does.
 */
public final class AuthorityMatrix {
    private static final AuthorityMatrix RUNBOOK = custom().require(
                    ChangeType.APPLICATION_CODE, RunbookRole.SENIOR_ENGINEER, RunbookRole.TECHNICAL_LEAD)
            .require(ChangeType.DATABASE_CHANGES, RunbookRole.DBA, RunbookRole.TECHNICAL_LEAD, RunbookRole.SECURITY)
            .require(ChangeType.INFRASTRUCTURE, RunbookRole.DEVOPS_LEAD, RunbookRole.TECHNICAL_LEAD)
            .require(ChangeType.SECURITY_CONFIGS, RunbookRole.SECURITY_OFFICER, RunbookRole.TECHNICAL_LEAD)
            .require(ChangeType.INTEGRATION_CHANGES, RunbookRole.INTEGRATION_LEAD, RunbookRole.TECHNICAL_LEAD)
            .require(ChangeType.FEATURE_ROLLBACK, RunbookRole.PRODUCT_OWNER, RunbookRole.ENGINEERING_MANAGER)
            .require(ChangeType.USER_FACING_CHANGES, RunbookRole.UX_LEAD, RunbookRole.PRODUCT_OWNER)
            .require(ChangeType.SERVICE_DISRUPTION, RunbookRole.CUSTOMER_SUCCESS, RunbookRole.EXECUTIVE)
            .require(ChangeType.COMPLIANCE_ISSUES, RunbookRole.COMPLIANCE_OFFICER, RunbookRole.LEGAL)
            .require(ChangeType.FINANCIAL_IMPACT, RunbookRole.CFO, RunbookRole.EXECUTIVE_SPONSOR)
            .build();

    private final Map<ChangeType, Set<String>> rows;

    private AuthorityMatrix(Builder b) {
        Map<ChangeType, Set<String>> copy = new EnumMap<>(ChangeType.class);
        b.rows.forEach((type, roles) -> copy.put(type, Collections.unmodifiableSet(new LinkedHashSet<>(roles))));
        this.rows = Collections.unmodifiableMap(copy);
    }

    /** The runbook's matrices, every row of both. */
    public static AuthorityMatrix runbook() {
        return RUNBOOK;
    }

    /** An empty builder. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s rows. */
    public static Builder from(AuthorityMatrix base) {
        Builder b = new Builder();
        Objects.requireNonNull(base, "base")
                .rows
                .forEach((type, roles) -> b.rows.put(type, new LinkedHashSet<>(roles)));
        return b;
    }

    /** The roles a change type needs, in the matrix's order; empty if the matrix has no row for it. */
    public Optional<Set<String>> rolesFor(ChangeType type) {
        return Optional.ofNullable(rows.get(Objects.requireNonNull(type, "type")));
    }

    /** Every row. */
    public Map<ChangeType, Set<String>> rows() {
        return rows;
    }

    @Override
    public String toString() {
        return "AuthorityMatrix" + rows;
    }

    /** Builds an {@link AuthorityMatrix}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<ChangeType, Set<String>> rows = new EnumMap<>(ChangeType.class);

        private Builder() {}

        /** Sets the row of {@code type} to the runbook roles given (replacing any earlier row); at least one. */
        public Builder require(ChangeType type, RunbookRole... roles) {
            Objects.requireNonNull(roles, "roles");
            return require(
                    type,
                    Arrays.stream(roles)
                            .map(r -> Objects.requireNonNull(r, "roles[]").id())
                            .toList());
        }

        /** Sets the row of {@code type} to the role ids given (replacing any earlier row); at least one, none blank. */
        public Builder require(ChangeType type, List<String> roleIds) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(roleIds, "roleIds");
            if (roleIds.isEmpty()) {
                throw new IllegalArgumentException(
                        "roleIds of " + type + " must name at least one role, but was empty");
            }
            Set<String> row = new LinkedHashSet<>();
            roleIds.forEach(id -> row.add(Arguments.requireText(id, "roleIds[]")));
            rows.put(type, row);
            return this;
        }

        /** Builds the matrix. */
        public AuthorityMatrix build() {
            return new AuthorityMatrix(this);
        }
    }
}
