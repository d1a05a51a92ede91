/**
 * Contract kits for the service provider interfaces of {@code dev.rollback.api.spi}: abstract JUnit 5
 * test classes that an implementation's own test extends, supplying a factory, to prove that it
 * keeps every rule the interface's javadoc states. {@link dev.rollback.testkit.contract.JournalContract}
 * for a {@code Journal}, {@link dev.rollback.testkit.contract.RunLockContract} for a {@code RunLock}
 * and its leases, {@link dev.rollback.testkit.contract.NotifierContract} for a {@code Notifier}.
 * Rollback runs them against its own implementations (the file and PostgreSQL journals, the
 * in-process, file and PostgreSQL locks, the webhook and logging notifiers).
 */
package dev.rollback.testkit.contract;
