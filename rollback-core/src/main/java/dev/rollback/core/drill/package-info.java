/**
 * Drills: the runbook's monthly schedule ({@link dev.rollback.core.drill.DrillSchedule}) and the
 * verdict of a drill on its validation criteria ({@link dev.rollback.core.drill.DrillVerdict}).
 */
package dev.rollback.core.drill;
