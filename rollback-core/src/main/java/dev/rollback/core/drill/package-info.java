/**
 * Drills: the runbook's monthly schedule ({@link dev.rollback.core.drill.DrillSchedule}), the four drill
 * plans ({@link dev.rollback.core.drill.DrillPlans}), drill mode, which runs them against staging
 * targets only ({@link dev.rollback.core.drill.DrillMode} under a {@link
 * dev.rollback.core.drill.StagingTargets} policy), and the verdict of a drill on its validation criteria
 * ({@link dev.rollback.core.drill.DrillVerdict}).
 */
package dev.rollback.core.drill;
