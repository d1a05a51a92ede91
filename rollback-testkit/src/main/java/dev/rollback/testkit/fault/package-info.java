/**
 * The fault harness of the fault model (docs/fault-model.md): child JVM nodes ({@link dev.rollback.testkit.fault.ChildJvm}) killed
 * at crash points or paused, a TCP {@link dev.rollback.testkit.fault.FaultProxy}, a
 * {@link dev.rollback.testkit.fault.SideEffectLedger} and its
 * {@link dev.rollback.testkit.fault.InvariantChecker}, {@link dev.rollback.testkit.fault.SecretCanaries}
 * and their {@link dev.rollback.testkit.fault.CanaryScanner}, and a {@link dev.rollback.testkit.fault.DiskFull}.
 */
package dev.rollback.testkit.fault;
