/**
 * Events of a run, and the {@link dev.rollback.api.event.RollbackListener} that receives them.
 *
 * <p>Nesting (every start has exactly one end):
 * <pre>
 * RunStarted
 * ├── StepStarted (attempt 1)
 * │   ├── StepProgress (any number: what the attempt reported it did, on its own thread)
 * │   ├── StepStalled (attempt n reported no progress for its stall timeout; it is interrupted)
 * │   ├── StepReconciled (attempt n's outcome was indeterminate; the step's check settled it)
 * │   ├── StepRetrying (attempt n failed transiently, or did not take effect; attempt n+1 follows after a wait)
 * │   ├── VerificationPassed | VerificationFailed   (per-step verifiers)
 * │   └── StepSucceeded | StepFailed (also for HUMAN_DECISION_REQUIRED) | StepTimedOut
 * ├── StepSkipped                                   (never started)
 * ├── BudgetExceeded                                (a component's RTO ran out)
 * ├── RunAborted                                    (someone called abort)
 * ├── VerificationPassed | VerificationFailed       (plan verifiers)
 * └── RunFinished
 * </pre>
 */
package dev.rollback.api.event;
