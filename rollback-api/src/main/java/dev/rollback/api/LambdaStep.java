package dev.rollback.api;

import java.util.Optional;

/** A step made by {@link RollbackStep#builder(String, String)}. */
record LambdaStep(
        String id,
        String component,
        RollbackStep.Action action,
        RollbackStep.Action check,
        boolean idempotent,
        boolean destructive,
        boolean safeguard,
        Optional<String> actsOn)
        implements RollbackStep {

    @Override
    public void execute(StepContext context) throws Exception {
        action.run(context);
    }

    @Override
    public void preflight(StepContext context) throws Exception {
        check.run(context);
    }

    @Override
    public String toString() {
        return "RollbackStep[" + id + " @ " + component + "]";
    }
}
