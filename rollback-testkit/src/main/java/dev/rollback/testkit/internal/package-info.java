/**
 * Process, port, folder and secret utilities shared by the testkit's launchers and harness. Not
 * part of the testkit's API: it may change in any release.
 */
package dev.rollback.testkit.internal;
