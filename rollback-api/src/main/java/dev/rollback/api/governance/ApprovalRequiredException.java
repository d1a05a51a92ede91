package dev.rollback.api.governance;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.util.List;

/** A run was refused because its approval policy is not satisfied; names the missing roles. */
public class ApprovalRequiredException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final transient Authorization authorization;

    /** Creates the exception from the refused authorization. */
    public ApprovalRequiredException(String planName, Authorization authorization) {
        super(
                ErrorCode.APPROVAL_REQUIRED,
                "plan '" + planName + "' cannot start: "
                        + authorization.explanation()
                        + (authorization.missingRoles().isEmpty()
                                ? ""
                                : "; missing approvals from " + authorization.missingRoles()));
        this.authorization = authorization;
    }

    /** The roles still missing. */
    public List<String> missingRoles() {
        return authorization.missingRoles();
    }

    /** The refused authorization. */
    public Authorization authorization() {
        return authorization;
    }
}
