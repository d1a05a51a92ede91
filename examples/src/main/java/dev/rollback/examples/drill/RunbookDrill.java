package dev.rollback.examples.drill;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.drill.DrillKind;
import dev.rollback.core.drill.DrillVerdict;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.escalation.EscalationScheduler;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.report.CriticalPath;
import dev.rollback.core.report.HtmlReportRenderer;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.core.report.PostIncidentReport;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.response.PostRollbackVerification.Check;
import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.HeightenedMonitoring;
import dev.rollback.core.trigger.RateRecorder;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import dev.rollback.integrations.ApplicationInsightsRollback;
import dev.rollback.integrations.QuickBooksRollback;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The whole AdvisorOS runbook as one drill, the README's run command. It starts what production
 * would be (a local PostgreSQL and Redis, the Azure control plane simulated for the real Azure SDK,
 * a mocked Kubernetes API), deploys a broken release and replays its traffic on an accelerated
 * clock into the runbook's trigger engine: errors climb past 1% and stay there, the rule fires, the
 * incident response opens the incident at the rule's severity, pages, informs the stakeholders and
 * runs the application rollback (App Service slots, the frontend and the API server, in parallel)
 * on the real clock, verifies the recovery and heightens monitoring. The scenario goes on with a
 * bad migration: the data-corruption signal decides a point-in-time recovery, which the same
 * response runs (emergency backup and its restore test, the restore, validation, the connection
 * switch, the client cache invalidated afterwards). Then the primary storage region goes down (the
 * storage failover behind its RPO gate, the documents synced back from their backup and verified,
 * the Redis cache force-rebooted); QuickBooks production stops answering (the integration
 * rollback); the primary Application Insights ingestion endpoint refuses telemetry (the monitoring
 * rollback, the telemetry lost counted); the invoice ledger's primary crashes (the database
 * failover to its streaming standby, the acknowledged invoices counted). Last, a confirmed attack
 * raises the security-breach signal: the response locks the system down (maintenance mode, logins
 * closed but for break-glass, sessions revoked, the security team paged), rolls authentication back
 * to the backup tenant behind an emergency allow-list and rolls security monitoring back to its
 * backup configuration. After each run the post-rollback verification (health, the client list, the
 * QuickBooks API in place, the documents of record, the watched rules healthy) must hold before the
 * incident counts as recovered, and monitoring is heightened. Every step is printed as it starts
 * and ends with its component's RTO budget left; the reports are written as Markdown, JSON and HTML,
 * with a post-incident report per incident, and judged on the runbook's drill criteria.
 *
 * <p>Exit code 0 only when every incident recovered, no component missed its RTO or RPO, every
 * verification and post-rollback check passed, monitoring was heightened after each recovery and
 * every judged drill criterion was met: a drill that hides a miss is worse than none.
 */
public final class RunbookDrill {
    /** The mock servers log every request through java.util.logging; the drill prints what matters. */
    private static final List<Logger> QUIETED = Stream.of("io.fabric8.mockwebserver", "io.fabric8.kubernetes")
            .map(Logger::getLogger)
            .toList();

    /** Replayed traffic is recorded, evaluated and ticked in steps of this much. */
    private static final Duration STEP = Duration.ofSeconds(15);

    /** How much traffic history the accelerated clock replays before the rule can fire. */
    private static final Duration REPLAY_SPAN = Duration.ofMinutes(12);

    private final PrintStream out;
    private final Path reports;
    private final long began = System.nanoTime();

    private RunbookDrill(PrintStream out, Path reports) {
        this.out = out;
        this.reports = reports;
    }

    /**
     * Runs the drill; the reports go to the folder given as the first argument (default
     * {@code target/runbook-drill}). Exits non-zero when the drill found a miss.
     */
    public static void main(String[] args) throws Exception {
        QUIETED.forEach(logger -> logger.setLevel(Level.WARNING));
        Path reports = Path.of(args.length > 0 ? args[0] : "target/runbook-drill");
        DrillResult result = run(reports, System.out);
        System.exit(result.passed() ? 0 : 1);
    }

    /** Runs the drill, writing its reports to {@code reports}, and returns what it found. */
    public static DrillResult run(Path reports, PrintStream out) throws Exception {
        return new RunbookDrill(out, reports.toAbsolutePath()).run();
    }

    private DrillResult run() throws Exception {
        Files.createDirectories(reports);
        Path work = Files.createTempDirectory(
                "rollback-runbook-drill-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        ConsoleNotifier pager = new ConsoleNotifier(out);
        // the three estates start side by side: each waits mostly on its own servers
        CompletableFuture<ApplicationEstate> starting = supplyAsync(() -> ApplicationEstate.start(work, this::say));
        CompletableFuture<CacheEstate> startingCache = supplyAsync(() -> CacheEstate.start(this::say));
        CompletableFuture<OffsiteEstate> startingOffsite = supplyAsync(() -> OffsiteEstate.start(this::say));
        CompletableFuture<FailoverEstate> startingLedger = supplyAsync(() -> FailoverEstate.start(this::say));
        DatabaseEstate started;
        try {
            started = DatabaseEstate.start(work, this::say);
        } catch (Exception | Error e) {
            closeWhenStarted(starting);
            closeWhenStarted(startingCache);
            closeWhenStarted(startingOffsite);
            closeWhenStarted(startingLedger);
            throw e;
        }
        try (DatabaseEstate database = started;
                ApplicationEstate application = join(starting, startingCache, startingOffsite, startingLedger);
                CacheEstate cache = join(startingCache, startingOffsite, startingLedger);
                OffsiteEstate offsite = join(startingOffsite, startingLedger);
                FailoverEstate ledger = join(startingLedger);
                SecurityEstate security =
                        SecurityEstate.start(database.newDatabase("advisoros_security"), work, pager);
                IntegrationEstate integration =
                        IntegrationEstate.start(database.newDatabase("advisoros_integrations"), cache, pager);
                MonitoringEstate monitoring = MonitoringEstate.start(work)) {
            StorageEstate storage = StorageEstate.start(
                    application.azure(), offsite.connectionString(), database.newDatabase("advisoros_documents"));
            say("production: %s", application.whatProductionServes());
            DrillClock clock = DrillClock.replayingFrom(Instant.now());
            RollbackPlan applicationRollback = application.plan();
            RollbackPlan.Builder recovery = database.addPointInTimeRecovery(RollbackPlan.builder(
                            DecisionMatrix.POINT_IN_TIME_RECOVERY,
                            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                    .carriesOut(DecisionMatrix.POINT_IN_TIME_RECOVERY));
            offsite.addShipping(recovery, DatabaseEstate.COMPONENT);
            RollbackPlan pointInTimeRecovery = cache.addCacheInvalidation(recovery, DatabaseEstate.SWITCH_STEP)
                    .build();
            RollbackPlan storageFailover = cache.addCacheRecovery(
                            storage.addStorageRecovery(
                                    RollbackPlan.builder(StorageEstate.ACTION, StorageEstate.planObjectives())
                                            .carriesOut(StorageEstate.ACTION)),
                            application.azure())
                    .build();
            RollbackPlan integrationRollback = integration
                    .addQuickBooksRollback(
                            RollbackPlan.builder(IntegrationEstate.ACTION, QuickBooksRollback.RUNBOOK_OBJECTIVES)
                                    .carriesOut(IntegrationEstate.ACTION))
                    .build();
            RollbackPlan monitoringRollback = monitoring
                    .addMonitoringRollback(RollbackPlan.builder(
                                    MonitoringEstate.ACTION, ApplicationInsightsRollback.RUNBOOK_OBJECTIVES)
                            .carriesOut(MonitoringEstate.ACTION))
                    .build();
            RollbackPlan databaseFailover = ledger.plan();
            RollbackPlan breachResponse = security.plan();
            LiveProgress progress = new LiveProgress(out, began)
                    .budgetsOf(applicationRollback)
                    .budgetsOf(pointInTimeRecovery)
                    .budgetsOf(storageFailover)
                    .budgetsOf(integrationRollback)
                    .budgetsOf(monitoringRollback)
                    .budgetsOf(databaseFailover)
                    .budgetsOf(breachResponse);
            List<IncidentReport> incidents = new ArrayList<>();
            Map<String, String> heightened = new LinkedHashMap<>();
            try (TriggerEngine engine = TriggerEngine.builder()
                            .matrix(matrix())
                            .clock(clock)
                            .build();
                    NotificationDispatcher dispatcher = NotificationDispatcher.custom()
                            .addNotifier(pager)
                            .clock(clock)
                            .build();
                    RollbackExecutor executor = RollbackExecutor.builder()
                            .clock(clock)
                            .listener(progress)
                            .build();
                    IncidentResponse response = IncidentResponse.custom()
                            .catalog(PlanCatalog.forMatrix(engine.matrix())
                                    .map(DecisionMatrix.APPLICATION_ROLLBACK, applicationRollback)
                                    .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, pointInTimeRecovery)
                                    .map(DecisionMatrix.DATABASE_FAILOVER, databaseFailover)
                                    .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, breachResponse)
                                    .map(StorageEstate.ACTION, storageFailover)
                                    .map(IntegrationEstate.ACTION, integrationRollback)
                                    .map(MonitoringEstate.ACTION, monitoringRollback)
                                    .build())
                            .executor(executor)
                            .triggers(engine)
                            .dispatcher(dispatcher)
                            .escalation(EscalationScheduler.custom()
                                    .contacts(EscalationContacts.custom()
                                            .addContact(EscalationRole.ON_CALL_ENGINEER, "pager:on-call-engineer")
                                            .addContact(EscalationRole.TECHNICAL_LEAD, "pager:technical-lead")
                                            .addContact(EscalationRole.ENGINEERING_MANAGER, "pager:engineering-manager")
                                            .addContact(EscalationRole.CUSTOMER_SUCCESS, "pager:customer-success")
                                            .build())
                                    .dispatcher(dispatcher)
                                    .clock(clock)
                                    .build())
                            .notices(StakeholderNotices.custom()
                                    .addContact(StakeholderGroup.TECHNICAL_TEAM, "#incidents")
                                    .addContact(StakeholderGroup.MANAGEMENT, "leads@advisoros.example")
                                    .addContact(StakeholderGroup.CUSTOMERS, "status.advisoros.example")
                                    .dispatcher(dispatcher)
                                    .clock(clock)
                                    .build())
                            .verification(PostRollbackVerification.custom()
                                    .add(Check.HEALTH, application.appServiceHealth())
                                    .add(Check.HEALTH, application.frontendHealth())
                                    .add(Check.HEALTH, application.apiHealth())
                                    .add(Check.HEALTH, cache.health())
                                    .add(Check.HEALTH, monitoring.health())
                                    .add(Check.HEALTH, ledger.writable())
                                    .add(Check.USER_JOURNEYS, clientListJourney(database))
                                    .add(Check.INTEGRATIONS, integration.quickBooksInPlace())
                                    .add(Check.DATA_INTEGRITY, storage.documentsOfRecord())
                                    .watchRules(
                                            DecisionMatrix.ERROR_RATE,
                                            DecisionMatrix.RESPONSE_TIME,
                                            DecisionMatrix.DATABASE_CONNECTION_FAILURES,
                                            StorageEstate.RULE,
                                            IntegrationEstate.RULE,
                                            MonitoringEstate.RULE)
                                    .settleFor(Duration.ofMinutes(2))
                                    .build())
                            .heightenedMonitoring(HEIGHTENED)
                            .build()) {
                Traffic traffic = new Traffic(engine, response, clock, storage, integration, monitoring, ledger);

                say("replaying the release's traffic on an accelerated clock (1 min of traffic per few ms)");
                traffic.replay(
                        REPLAY_SPAN,
                        () -> application.servesBrokenRelease() ? 3 : 0,
                        () -> !response.incidents().isEmpty());
                incidents.add(traffic.settle(application, "application"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("production: %s", application.whatProductionServes());

                database.corrupt();
                say("the nightly integrity check raises the data-corruption signal");
                engine.raiseDataCorruption("100 clients with an empty name after migration 2026_11_25");
                traffic.replay(Duration.ofSeconds(1), () -> 0, () -> false);
                incidents.add(traffic.settle(application, "database"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", database.whatTheApplicationReads());
                say("%s", offsite.whatItHolds());
                say("%s", cache.whatTheCacheHolds());

                say("the primary storage region goes down: storage requests fail, replication stops,"
                        + " documents are left missing or truncated, the cache's document index goes stale");
                storage.regionOutage(clock.instant());
                cache.staleDocumentIndex();
                traffic.untilNewIncident(Duration.ofMinutes(5), application);
                incidents.add(traffic.settle(application, "storage"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", storage.whatItHolds());
                say("%s", cache.whatTheRebootLeft());

                say("QuickBooks production stops answering: 40% of the sync calls fail");
                integration.productionOutage(clock.instant());
                traffic.untilNewIncident(Duration.ofMinutes(10), application);
                incidents.add(traffic.settle(application, "integration"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", integration.whatIsInPlace());

                say("the primary Application Insights ingestion endpoint stops accepting telemetry");
                monitoring.ingestionOutage();
                traffic.untilNewIncident(Duration.ofMinutes(5), application);
                incidents.add(traffic.settle(application, "monitoring"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", monitoring.whatIsInPlace());

                say("the invoice ledger's primary crashes: the application's connections are refused");
                ledger.primaryCrash();
                traffic.untilNewIncident(Duration.ofMinutes(5), application);
                incidents.add(traffic.settle(application, "database failover"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", ledger.whatIsInPlace());

                say("the WAF confirms a credential-stuffing attack: the security-breach signal");
                engine.raiseSecurityBreach("WAF alert 4411: credential stuffing confirmed");
                traffic.replay(STEP, () -> 0, () -> false);
                incidents.add(traffic.settle(application, "security"));
                heightened.put(incidents.get(incidents.size() - 1).incidentId(), heightenedNow(engine));
                say("%s", security.whatIsInPlace(clock.instant()));
            }
            return report(incidents, heightened, Duration.ofNanos(System.nanoTime() - began));
        } finally {
            deleteRecursively(work);
        }
    }

    private interface Start<T> {
        T start() throws Exception;
    }

    private static <T> CompletableFuture<T> supplyAsync(Start<T> start) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        future.complete(start.start());
                    } catch (Throwable t) {
                        future.completeExceptionally(t);
                    }
                },
                "drill-start");
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    /** The started estate; if it failed to start, the others are closed once started, and the failure thrown. */
    @SafeVarargs
    private static <T> T join(CompletableFuture<T> future, CompletableFuture<? extends AutoCloseable>... others)
            throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            for (CompletableFuture<? extends AutoCloseable> other : others) {
                closeWhenStarted(other);
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void closeWhenStarted(CompletableFuture<? extends AutoCloseable> future) {
        future.thenAccept(estate -> {
            try {
                estate.close();
            } catch (Exception e) {
                // nothing more to do for an estate started after its drill failed
            }
        });
    }

    /** Replays traffic second by second into the engine, ticking the response; real time while a plan runs. */
    private final class Traffic {
        private final TriggerEngine engine;
        private final IncidentResponse response;
        private final DrillClock clock;
        private final RateRecorder storageRequests;
        private final RateRecorder quickBooksCalls;
        private final StorageEstate storage;
        private final IntegrationEstate integration;
        private final MonitoringEstate monitoring;
        private final RateRecorder telemetrySends;
        private final FailoverEstate ledger;

        Traffic(
                TriggerEngine engine,
                IncidentResponse response,
                DrillClock clock,
                StorageEstate storage,
                IntegrationEstate integration,
                MonitoringEstate monitoring,
                FailoverEstate ledger) {
            this.engine = engine;
            this.response = response;
            this.clock = clock;
            this.storage = storage;
            this.integration = integration;
            this.storageRequests = engine.rate(StorageEstate.SIGNAL);
            this.quickBooksCalls = engine.rate(IntegrationEstate.SIGNAL);
            this.monitoring = monitoring;
            this.telemetrySends = engine.rate(MonitoringEstate.SIGNAL);
            this.ledger = ledger;
        }

        /** Replays up to {@code span} of traffic, the application's healthy, until another incident opens. */
        void untilNewIncident(Duration span, ApplicationEstate application) throws Exception {
            int before = response.incidents().size();
            replay(
                    span,
                    () -> application.servesBrokenRelease() ? 3 : 0,
                    () -> response.incidents().size() > before);
        }

        /** Replays up to {@code span} of traffic in steps of {@link #STEP}, 100 requests a second, {@code failedPercent} of them failing. */
        void replay(Duration span, PercentSupplier failedPercent, BooleanSupplier stop) throws Exception {
            for (Duration replayed = Duration.ZERO;
                    replayed.compareTo(span) < 0 && !stop.getAsBoolean();
                    replayed = replayed.plus(STEP)) {
                int failed = failedPercent.get();
                int storageFailed = storage.failingPercent();
                int quickBooksFailed = integration.failingPercent();
                // one telemetry item a replayed second; the share the agent could not send fails
                int telemetryFailed = (int) (100L * monitoring.emit((int) STEP.toSeconds()) / STEP.toSeconds());
                for (int i = 0; i < 100 * STEP.toSeconds(); i++) {
                    engine.recordRequest(40, TimeUnit.MILLISECONDS, i % 100 >= failed);
                    storageRequests.record(i % 100 >= storageFailed);
                    quickBooksCalls.record(i % 100 >= quickBooksFailed);
                    telemetrySends.record(i % 100 >= telemetryFailed);
                }
                ledger.serve(engine);
                clock.advance(STEP);
                engine.evaluate();
                response.tick();
                for (IncidentHandle h : response.incidents()) {
                    if (h.run().isPresent() && !h.run().get().isDone()) {
                        // the plan runs against real servers on the real clock
                        clock.goLive();
                        h.run().get().await();
                        clock.replay();
                    }
                }
            }
        }

        /** Replays healthy traffic until the newest incident's recovery is verified, and returns its report. */
        IncidentReport settle(ApplicationEstate application, String what) throws Exception {
            IncidentHandle incident =
                    response.incidents().get(response.incidents().size() - 1);
            replay(
                    Duration.ofMinutes(15),
                    () -> application.servesBrokenRelease() ? 3 : 0,
                    () -> incident.report().isDone());
            if (!incident.report().isDone()) {
                throw new IllegalStateException("the " + what + " incident " + incident.key()
                        + " neither recovered nor failed within 15 minutes of replayed traffic");
            }
            return incident.report().get(10, TimeUnit.SECONDS);
        }
    }

    /** The percentage of failing requests in the next replayed second. */
    @FunctionalInterface
    private interface PercentSupplier {
        int get();
    }

    private DrillResult report(List<IncidentReport> incidents, Map<String, String> heightened, Duration took)
            throws IOException {
        List<String> misses = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        int n = 0;
        for (IncidentReport incident : incidents) {
            n++;
            String base =
                    String.format(Locale.ROOT, "%02d-%s", n, incident.decision().action());
            written.add(write(base + ".md", MarkdownReportRenderer.render(incident)));
            written.add(write(base + ".html", HtmlReportRenderer.render(incident)));
            written.add(write(base + "-post-incident.md", PostIncidentReport.markdown(incident)));
            written.add(write(base + "-post-incident.html", PostIncidentReport.html(incident)));
            if (!incident.recovered()) {
                misses.add(incident.title() + ": not recovered (" + incident.state() + ")");
            }
            if (incident.run().isEmpty()) {
                misses.add(incident.title() + ": no plan ran");
                continue;
            }
            RollbackReport run = incident.run().get();
            written.add(write(base + ".json", JsonReportRenderer.render(run)));
            DrillKind kind = switch (incident.decision().action()) {
                case DecisionMatrix.APPLICATION_ROLLBACK -> DrillKind.APPLICATION_ROLLBACK;
                case DecisionMatrix.POINT_IN_TIME_RECOVERY -> DrillKind.DATABASE_RECOVERY;
                case StorageEstate.ACTION, DecisionMatrix.DATABASE_FAILOVER -> DrillKind.INFRASTRUCTURE_FAILOVER;
                default -> DrillKind.FULL_DISASTER_RECOVERY;
            };
            DrillVerdict verdict = DrillVerdict.of(kind, run);
            CriticalPath path = CriticalPath.of(run);
            out.println();
            say(
                    "%s (judged as the %s): plan '%s' %s in %s",
                    incident.title(), kind.title(), run.planName(), run.outcome(), LiveProgress.human(run.duration()));
            run.components()
                    .forEach(c -> say(
                            "  %-14s RTO %s (%s of %s)  RPO %s",
                            c.component(),
                            c.rto(),
                            LiveProgress.human(c.recoveryTime()),
                            LiveProgress.human(c.objectives().rto()),
                            c.rpo()));
            run.components().stream()
                    .filter(c -> c.rto() == TargetStatus.MISSED || c.rpo() == TargetStatus.MISSED)
                    .forEach(c -> misses.add(incident.title() + ": component " + c.component() + " RTO " + c.rto()
                            + ", RPO " + c.rpo()));
            say(
                    "  critical path %s; the run took %.2fx of it (one step after another: %s)",
                    LiveProgress.human(path.length()), path.ratio(), LiveProgress.human(path.sequential()));
            verdict.criteria().forEach(c -> say("  %s %s: %s", c.met() ? "✓" : "✗", c.name(), c.evidence()));
            for (Verification check : incident.checks()) {
                say("  %s post-rollback %s: %s", check.passed() ? "✓" : "✗", check.name(), check.observed());
                if (!check.passed()) {
                    misses.add(
                            incident.title() + ": post-rollback check " + check.name() + " (" + check.observed() + ")");
                }
            }
            String monitoring = heightened.getOrDefault(incident.incidentId(), "");
            if (incident.heightenedMonitoringUntil().isPresent() && !monitoring.isEmpty()) {
                say(
                        "  ✓ heightened monitoring until %s: %s",
                        incident.heightenedMonitoringUntil().get(), monitoring);
            } else if (incident.recovered()) {
                say("  ✗ heightened monitoring: not applied");
                misses.add(incident.title() + ": heightened monitoring not applied after recovery");
            }
            say("  lessons learned: not yet recorded (the drill stays open until they are)");
            for (var criterion : verdict.criteria()) {
                if (!criterion.met()) {
                    misses.add(incident.title() + ": " + criterion.name() + " (" + criterion.evidence() + ")");
                }
            }
        }
        out.println();
        say("reports (%d files) in %s:", written.size(), reports);
        written.forEach(p -> say("  %s", p));
        say(
                "the drill took %s; %s",
                LiveProgress.human(took), misses.isEmpty() ? "no miss" : misses.size() + " misses:");
        misses.forEach(m -> say("  MISSED %s", m));
        return new DrillResult(incidents, List.copyOf(written), List.copyOf(misses));
    }

    private Path write(String name, String content) throws IOException {
        Path file = reports.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** After a recovery: every watched rule's threshold lowered for four hours (the runbook's "monitoring enhancement"). */
    private static final HeightenedMonitoring HEIGHTENED = HeightenedMonitoring.custom()
            .duration(Duration.ofHours(4))
            .tighten(DecisionMatrix.ERROR_RATE, 0.005)
            .tighten(DecisionMatrix.RESPONSE_TIME, Duration.ofSeconds(2))
            .tighten(StorageEstate.RULE, 0.05)
            .tighten(IntegrationEstate.RULE, 0.05)
            .tighten(MonitoringEstate.RULE, 0.05)
            .tighten(DecisionMatrix.DATABASE_CONNECTION_FAILURES, 0.2)
            .build();

    /**
     * The runbook's decision matrix, with three rules of the application's own signals: storage
     * requests failing in a region outage (the storage failover, SEV1), QuickBooks calls failing (the
     * integration rollback, SEV2) and telemetry refused by its ingestion endpoint (the monitoring
     * rollback, SEV2).
     */
    private static DecisionMatrix matrix() {
        return DecisionMatrix.from(DecisionMatrix.ofDefaults())
                .addRule(TriggerRule.custom()
                        .name(StorageEstate.RULE)
                        .signal(CustomSignal.rate(StorageEstate.SIGNAL))
                        .above(0.5)
                        .sustain(Duration.ofMinutes(2))
                        .holdTime(Duration.ofMinutes(1))
                        .action(StorageEstate.ACTION)
                        .severity(Severity.SEV1)
                        .build())
                .addRule(TriggerRule.custom()
                        .name(IntegrationEstate.RULE)
                        .signal(CustomSignal.rate(IntegrationEstate.SIGNAL))
                        .above(0.2)
                        .sustain(Duration.ofMinutes(5))
                        .holdTime(Duration.ofMinutes(1))
                        .action(IntegrationEstate.ACTION)
                        .severity(Severity.SEV2)
                        .build())
                .addRule(TriggerRule.custom()
                        .name(MonitoringEstate.RULE)
                        .signal(CustomSignal.rate(MonitoringEstate.SIGNAL))
                        .above(0.5)
                        .sustain(Duration.ofMinutes(2))
                        .holdTime(Duration.ofMinutes(1))
                        .action(MonitoringEstate.ACTION)
                        .severity(Severity.SEV2)
                        .build())
                .build();
    }

    /** The thresholds in force now, read back from the engine: what heightened monitoring changed. */
    private static String heightenedNow(TriggerEngine engine) {
        List<String> lowered = new ArrayList<>();
        for (Map.Entry<String, Double> e : HEIGHTENED.thresholds().entrySet()) {
            engine.heightenedThreshold(e.getKey())
                    .ifPresent(t -> lowered.add(e.getKey() + " "
                            + engine.matrix().rule(e.getKey()).orElseThrow().threshold() + " → " + t));
        }
        return lowered.size() == HEIGHTENED.thresholds().size() ? String.join(", ", lowered) : "";
    }

    /** The critical user journey after a rollback: the client list reads every client, none corrupt. */
    private static Verifier clientListJourney(DatabaseEstate database) {
        return Verifier.of("client-list", ctx -> {
            long corrupt = database.corruptClientsTheApplicationReads();
            return new Verification(
                    "client-list",
                    corrupt == 0,
                    "the client list shows no corrupt client",
                    corrupt + " corrupt",
                    Map.of());
        });
    }

    private void say(String line) {
        say("%s", line);
    }

    private void say(String format, Object... args) {
        synchronized (out) {
            out.printf(
                    Locale.ROOT,
                    "[drill %5.1fs] " + format + "%n",
                    Stream.concat(Stream.of((System.nanoTime() - began) / 1e9), Stream.of(args))
                            .toArray());
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
