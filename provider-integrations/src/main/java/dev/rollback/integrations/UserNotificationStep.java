package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the users a rollback affects (the runbook's {@code notifyUsersOfIntegrationIssue()}), or
 * the security team, through the application's {@link Notifier} (rollback-api's SPI: a mail
 * gateway, a webhook, a pager). The {@link Recipients} are read when it runs; they go out in
 * notifications of at most {@link Builder#batchSize(int) batchSize} recipients each, for the run
 * (incident id: the run id; stakeholder, severity, subject and body from the builder; the incident
 * start: when the step started).
 *
 * <p>A notification the notifier refuses is tried again (at most 3 times, 200 ms then 400 ms
 * apart, never past the deadline). The runbook's SPI contract is that a failed delivery never
 * blocks a rollback, so by default the step succeeds with what it reached and says what it did not;
 * with {@link Builder#requireAll(boolean) requireAll} an unreached recipient fails it.
 *
 * <p>Evidence: {@value #RECIPIENTS} (found), {@value #REACHED} (in notifications the notifier
 * accepted: the count of users reached), {@value #UNREACHED}, {@value #NOTIFICATIONS} (accepted),
 * {@value #NOTIFIER}, {@value #LAST_FAILURE} (redacted).
 *
 * <p><b>Not idempotent</b>: a repeat notifies again, and a notifier cannot be asked what it
 * delivered, so after a crash in the middle {@link #tookEffect} cannot tell, and a resume stops for
 * a human, unless {@link Builder#resendOnResume(boolean)} declares a second notice acceptable.
 * Reading the recipients fails before anything is sent (a lost database connection there is
 * transient and retried). {@link #preflight} (read-only) reads the recipients and sends nothing.
 * Immutable and thread-safe; a body is never a place for a secret (it is redacted in the
 * evidence of a failure anyway).
 */
public final class UserNotificationStep implements RollbackStep {
    /** Evidence key: recipients found. */
    public static final String RECIPIENTS = "notify.recipients";
    /** Evidence key: recipients in notifications the notifier accepted. */
    public static final String REACHED = "notify.reached";
    /** Evidence key: recipients not reached. */
    public static final String UNREACHED = "notify.unreached";
    /** Evidence key: notifications accepted. */
    public static final String NOTIFICATIONS = "notify.notifications";
    /** Evidence key: the notifier's name. */
    public static final String NOTIFIER = "notify.notifier";
    /** Evidence key: the last delivery failure, redacted. */
    public static final String LAST_FAILURE = "notify.lastFailure";

    private static final int ATTEMPTS = 3;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    private final Notifier notifier;
    private final String id;
    private final String component;
    private final Recipients recipients;
    private final String stakeholder;
    private final Severity severity;
    private final String subject;
    private final String body;
    private final int batchSize;
    private final boolean requireAll;
    private final boolean resendOnResume;

    private UserNotificationStep(Builder b) {
        this.notifier = b.notifier;
        this.id = b.id;
        this.component = b.component;
        this.recipients = b.recipients;
        this.stakeholder = b.stakeholder;
        this.severity = b.severity;
        this.subject = b.subject;
        this.body = b.body;
        this.batchSize = b.batchSize;
        this.requireAll = b.requireAll;
        this.resendOnResume = b.resendOnResume;
    }

    /** A builder that sends through {@code notifier}. */
    public static Builder builder(Notifier notifier) {
        return new Builder(notifier);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** Who is notified and how: {@code notifier: recipients}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(notifier.name() + ": " + recipients.describe());
    }

    /** Who it reaches. */
    public Recipients recipients() {
        return recipients;
    }

    /** Empty (a human decides) unless a second notice was declared acceptable; then {@code false}. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return resendOnResume ? Optional.of(false) : Optional.empty();
    }

    @Override
    public void preflight(StepContext context) throws Exception {
        distinct(recipients.find(context));
    }

    @Override
    public void execute(StepContext context) throws Exception {
        context.checkpoint();
        context.evidence(NOTIFIER, notifier.name());
        List<String> all = distinct(recipients.find(context));
        context.evidence(RECIPIENTS, Integer.toString(all.size()));
        Instant started = context.clock().instant();
        long reached = 0;
        long accepted = 0;
        String lastFailure = null;
        for (int from = 0; from < all.size(); from += batchSize) {
            context.checkpoint();
            List<String> batch = all.subList(from, Math.min(all.size(), from + batchSize));
            Notification n = new Notification(
                    context.runId(),
                    stakeholder,
                    batch,
                    severity,
                    subject,
                    body,
                    started,
                    context.clock().instant());
            Optional<String> failure = send(n, context);
            if (failure.isEmpty()) {
                reached += batch.size();
                accepted++;
            } else {
                lastFailure = failure.get();
            }
            context.evidence(REACHED, Long.toString(reached));
            context.progress("notified " + reached + " of " + all.size() + " recipients");
        }
        context.evidence(REACHED, Long.toString(reached));
        context.evidence(UNREACHED, Long.toString(all.size() - reached));
        context.evidence(NOTIFICATIONS, Long.toString(accepted));
        if (lastFailure != null) {
            context.evidence(LAST_FAILURE, lastFailure);
        }
        if (requireAll && reached < all.size()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "step '" + id + "': notifier '" + notifier.name() + "' reached " + reached + " of " + all.size()
                            + " recipients (" + recipients.describe() + "); last failure: " + lastFailure);
        }
    }

    private Optional<String> send(Notification n, StepContext context) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        String failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                notifier.send(n);
                return Optional.empty();
            } catch (InterruptedException e) {
                throw e;
            } catch (StepInterruptedException e) {
                throw e;
            } catch (Exception e) {
                failure = Redaction.describe(e);
            }
            if (attempt == ATTEMPTS || context.remaining().compareTo(backoff.multipliedBy(2)) < 0) {
                break;
            }
            context.clock().sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
        return Optional.of(failure);
    }

    private List<String> distinct(List<String> found) {
        Set<String> out = new LinkedHashSet<>();
        for (String c : Objects.requireNonNull(found, "recipients")) {
            if (c == null || c.isBlank()) {
                continue;
            }
            String t = c.strip();
            if (t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step '" + id + "': a recipient from " + recipients.describe() + " spans lines: '"
                                + Arguments.printable(t) + "'");
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }

    @Override
    public String toString() {
        return "UserNotificationStep[" + id + ", " + recipients.describe() + " via " + notifier.name() + "]";
    }

    /**
     * Builds a {@link UserNotificationStep}: recipients, subject and body are required. Setters check
     * their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private final Notifier notifier;
        private String id = "notify-users";
        private String component = "application";
        private Recipients recipients;
        private String stakeholder = "affected-users";
        private Severity severity = Severity.SEV2;
        private String subject;
        private String body;
        private int batchSize = 100;
        private boolean requireAll;
        private boolean resendOnResume;

        private Builder(Notifier notifier) {
            this.notifier = Objects.requireNonNull(notifier, "notifier");
        }

        /** The step id. Default {@code notify-users}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** Who to tell. Required. */
        public Builder recipients(Recipients recipients) {
            this.recipients = Objects.requireNonNull(recipients, "recipients");
            return this;
        }

        /** The stakeholder group the notifications are for. Default {@code affected-users}. */
        public Builder stakeholder(String stakeholder) {
            this.stakeholder = Arguments.requireId(stakeholder, "stakeholder");
            return this;
        }

        /** The incident's severity. Default {@link Severity#SEV2}. */
        public Builder severity(Severity severity) {
            this.severity = Objects.requireNonNull(severity, "severity");
            return this;
        }

        /** A one-line subject. Required. */
        public Builder subject(String subject) {
            this.subject = Arguments.requireText(subject, "subject");
            return this;
        }

        /** The message; never a secret. Required. */
        public Builder body(String body) {
            Objects.requireNonNull(body, "body");
            if (body.isBlank()) {
                throw new IllegalArgumentException("body must not be blank");
            }
            this.body = body;
            return this;
        }

        /** Recipients per notification, 1-10,000. Default 100. */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.requireInRange(batchSize, "batchSize", 1, 10_000);
            return this;
        }

        /** Whether a recipient left unreached fails the step. Default false (it is recorded). */
        public Builder requireAll(boolean requireAll) {
            this.requireAll = requireAll;
            return this;
        }

        /**
         * Whether, after a crash in the middle, a resume may send again (some recipients get two
         * notices) rather than stop for a human. Default false.
         */
        public Builder resendOnResume(boolean resendOnResume) {
            this.resendOnResume = resendOnResume;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if recipients, subject or body is missing
         */
        public UserNotificationStep build() {
            if (recipients == null || subject == null || body == null) {
                throw new IllegalStateException(
                        (recipients == null ? "recipients" : subject == null ? "subject" : "body") + " is required");
            }
            return new UserNotificationStep(this);
        }
    }
}
