/**
 * The testkit: real servers for tests ({@link dev.rollback.testkit.TestServer}, one JUnit 5
 * {@link dev.rollback.testkit.ServerExtension} for all), a recording listener, fake steps and
 * verifiers. Sub-packages hold each server, the fault harness and the AssertJ assertions.
 */
package dev.rollback.testkit;
