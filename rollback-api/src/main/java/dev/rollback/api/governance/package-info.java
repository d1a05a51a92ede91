/**
 * Who may start which rollback: approvals, the authorization a run gets from its
 * {@link dev.rollback.api.governance.ApprovalPolicy}, and the error for a run that lacks one.
 */
package dev.rollback.api.governance;
