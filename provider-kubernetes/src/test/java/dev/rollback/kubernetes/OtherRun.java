package dev.rollback.kubernetes;

import dev.rollback.api.StepContext;
import dev.rollback.testkit.ForwardingStepContext;

/** A step context of another run: the same as {@code delegate} but for its run id. */
final class OtherRun extends ForwardingStepContext {
    private final String runId;

    OtherRun(StepContext delegate, String runId) {
        super(delegate);
        this.runId = runId;
    }

    @Override
    public String runId() {
        return runId;
    }
}
