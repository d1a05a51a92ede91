package dev.rollback.core.drill;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.util.List;

/**
 * Drill mode refused a plan before any step ran: a step acts on a target that looks like production,
 * or declares no target. Code {@link ErrorCode#INVALID_PLAN}; the message names every refused step,
 * its target and why.
 */
public class DrillRefusedException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final String planName;
    private final transient List<String> refusedSteps;

    /** Creates the exception. */
    public DrillRefusedException(String planName, List<String> refusedSteps, String message) {
        super(ErrorCode.INVALID_PLAN, message);
        this.planName = planName;
        this.refusedSteps = List.copyOf(refusedSteps);
    }

    /** The plan refused. */
    public String planName() {
        return planName;
    }

    /** The ids of the refused steps, in plan order (empty after deserialization). */
    public List<String> refusedSteps() {
        return refusedSteps == null ? List.of() : refusedSteps;
    }
}
