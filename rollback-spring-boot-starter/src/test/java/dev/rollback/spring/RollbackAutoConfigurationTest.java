package dev.rollback.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLock;
import dev.rollback.config.RollbackConfiguration;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.micrometer.RollbackMetrics;
import dev.rollback.postgres.coordination.PostgresJournal;
import dev.rollback.spring.internal.HttpServerRequestSignals;
import dev.rollback.spring.internal.LazyJournal;
import dev.rollback.spring.internal.LazyRunLock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The auto-configuration's conditions, each on a context that starts in milliseconds: with and without a
 * DataSource, with and without provider-postgres, disabled, bad properties, and the application's own beans.
 */
class RollbackAutoConfigurationTest {
    @TempDir
    Path temp;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        RollbackAutoConfiguration.class,
                        RollbackMetricsAutoConfiguration.class,
                        RollbackEndpointAutoConfiguration.class))
                .withPropertyValues("rollback.journal.directory=" + temp.resolve("rollback"));
    }

    @Test
    void withoutADataSourceRunsAreJournaledInAFileJournalThatTheFirstRunCreates() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RollbackExecutor.class);
            LazyJournal journal = context.getBean(LazyJournal.class);
            assertThat(journal.toString()).contains("file journal in " + temp.resolve("rollback"));
            assertThat(context.getBean(RunLock.class).toString()).contains("file run locks");
            assertThat(journal.isOpen()).isFalse();
            assertThat(temp.resolve("rollback")).doesNotExist();

            RollbackExecutor executor = context.getBean(RollbackExecutor.class);
            assertThat(executor.journal()).isSameAs(journal);
            var report = executor.run(plan("app-rollback", new ArrayList<>()), RunRequest.manual("tester"));

            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(journal.isOpen()).isTrue();
            assertThat(temp.resolve("rollback")).isDirectory();
            assertThat(journal.records(report.runId()))
                    .extracting(JournalRecord::type)
                    .contains(JournalRecord.Type.RUN_STARTED);
        });
    }

    @Test
    void withADataSourceAndProviderPostgresTheJournalAndLockArePostgresAndConnectNothingAtStart() {
        runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues(
                        // nothing listens here: a context that connected at start would fail
                        "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/app",
                        "spring.datasource.username=app",
                        "spring.datasource.password=canary-password-1",
                        "rollback.journal.schema=ops")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(DataSource.class);
                    assertThat(context.getBean(Journal.class).toString())
                            .isEqualTo("LazyJournal[PostgreSQL journal in schema ops, not opened yet]");
                    assertThat(context.getBean(RunLock.class).toString())
                            .isEqualTo("LazyRunLock[PostgreSQL run lock in schema ops, not opened yet]");
                    assertThat(temp.resolve("rollback")).doesNotExist();

                    // the first run opens them: nothing listens, so it is refused (fail closed), without the password
                    assertThatThrownBy(() -> context.getBean(RollbackExecutor.class)
                                    .start(plan("app-rollback", new ArrayList<>()), RunRequest.manual("tester")))
                            .isInstanceOf(RollbackException.class)
                            .hasMessageContaining("run lock could not be reached (fail closed)")
                            .hasMessageNotContaining("canary-password-1");
                });
    }

    @Test
    void withADataSourceButWithoutProviderPostgresTheJournalIsAFileJournal() {
        runner().withClassLoader(new FilteredClassLoader(PostgresJournal.class))
                .withBean(DataSource.class, PGSimpleDataSource::new)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Journal.class).toString()).contains("file journal");
                });
    }

    @Test
    void withProviderPostgresButWithoutADataSourceTheJournalIsAFileJournal() {
        runner().run(context -> {
            assertThat(context).doesNotHaveBean(DataSource.class);
            assertThat(context.getBean(Journal.class).toString()).contains("file journal");
        });
    }

    @Test
    void rollbackEnabledFalseConfiguresNothing() {
        runner().withPropertyValues("rollback.enabled=false")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(RollbackExecutor.class);
                    assertThat(context).doesNotHaveBean(Journal.class);
                    assertThat(context).doesNotHaveBean(RollbackMetrics.class);
                    assertThat(context).doesNotHaveBean(RollbackEndpoint.class);
                });
    }

    @Test
    void aParallelismOfZeroStopsTheContextNamingTheKeyAndTheValue() {
        runner().withPropertyValues("rollback.executor.parallelism=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("object 'rollback' on field 'executor.parallelism'")
                    .hasMessageContaining("rejected value [0]")
                    .hasMessageContaining("must be greater than or equal to 1");
        });
    }

    @Test
    void anEvaluationIntervalOfZeroStopsTheContextNamingTheKeyAndTheValue() {
        runner().withPropertyValues("rollback.triggers.evaluation-interval=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("object 'rollback' on field 'triggers.evaluationInterval'")
                    .hasMessageContaining("rejected value [PT0S]");
        });
    }

    @Test
    void aSchemaNameThatIsNotOneStopsTheContextNamingTheKeyAndTheValue() {
        runner().withPropertyValues("rollback.journal.schema=ops; drop table x").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("object 'rollback' on field 'journal.schema'")
                    .hasMessageContaining("rejected value [ops; drop table x]")
                    .hasMessageContaining("must be a schema name");
        });
    }

    @Test
    void aBadValueInTheConfigFileStopsTheContextNamingTheFileTheKeyAndTheValue() {
        runner().withPropertyValues("rollback.config=classpath:dev/rollback/spring/bad-threshold.yaml")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("bad-threshold.yaml")
                            .hasMessageContaining("matrix.rules[0].above")
                            .hasMessageContaining("250%");
                });
    }

    @Test
    void theConfigFileGivesTheMatrixTheEngineEvaluates() {
        runner().withPropertyValues(
                        "rollback.config=classpath:dev/rollback/spring/error-rate-only.yaml",
                        "rollback.triggers.enabled=true")
                .withBean("appRollback", RollbackPlan.class, () -> plan("app-rollback", new ArrayList<>()))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TriggerEngine engine = context.getBean(TriggerEngine.class);
                    assertThat(engine.matrix().name()).isEqualTo("error-burst");
                    assertThat(context.getBean(RollbackConfiguration.class)
                                    .matrix()
                                    .rules())
                            .singleElement()
                            .satisfies(rule -> assertThat(rule.window()).isEqualTo(Duration.ofSeconds(10)));
                    assertThat(context.getBean(PlanCatalog.class).plan(DecisionMatrix.APPLICATION_ROLLBACK))
                            .get()
                            .extracting(RollbackPlan::name)
                            .isEqualTo("app-rollback");
                    assertThat(context).hasSingleBean(IncidentResponse.class);
                    assertThat(context).hasSingleBean(HttpServerRequestSignals.class);
                });
    }

    @Test
    void withTriggersEnabledAMatrixActionNoPlanBeanCarriesOutStopsTheContextNamingIt() {
        runner().withPropertyValues("rollback.triggers.enabled=true")
                .withBean("appRollback", RollbackPlan.class, () -> plan("app-rollback", new ArrayList<>()))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("maps no plan to")
                            .hasMessageContaining("'database-failover'")
                            .hasMessageContaining("'full-system-lockdown'")
                            .hasMessageNotContaining("'application-rollback'");
                });
    }

    @Test
    void triggersAreOffByDefaultAndNothingStartsAThread() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("management.endpoints.web.exposure.include=rollback")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RollbackExecutor.class);
                    assertThat(context).doesNotHaveBean(TriggerEngine.class);
                    assertThat(context).doesNotHaveBean(IncidentResponse.class);
                    assertThat(context).doesNotHaveBean(HttpServerRequestSignals.class);
                    context.getBean(RollbackEndpoint.class).rollback();
                    List<String> started = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> !before.contains(t))
                            .map(Thread::getName)
                            .filter(name -> name.startsWith("rollback-"))
                            .toList();
                    assertThat(started).isEmpty();
                    assertThat(context.getBean(LazyRunLock.class).isOpen()).isFalse();
                });
    }

    @Test
    void withTriggersEnabledTheEngineEvaluatesOnItsThreadFromStartToStop() {
        runner().withPropertyValues(
                        "rollback.config=classpath:dev/rollback/spring/error-rate-only.yaml",
                        "rollback.triggers.enabled=true")
                .withBean("appRollback", RollbackPlan.class, () -> plan("app-rollback", new ArrayList<>()))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.start();
                    assertThat(threadNames()).contains("rollback-trigger-evaluator", "rollback-incident-response");
                    context.stop();
                    assertThat(context.getBean(TriggerEngine.class).toString()).contains("error-burst");
                });
    }

    @Test
    void theApplicationsOwnBeansWinAndTheExecutorUsesThem() {
        List<JournalRecord> appended = new CopyOnWriteArrayList<>();
        runner().withBean(Journal.class, () -> new RecordingJournal(appended)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(LazyJournal.class);
            RollbackExecutor executor = context.getBean(RollbackExecutor.class);
            assertThat(executor.journal()).isInstanceOf(RecordingJournal.class);
            executor.run(plan("app-rollback", new ArrayList<>()), RunRequest.manual("tester"));
            assertThat(appended).extracting(JournalRecord::type).contains(JournalRecord.Type.RUN_STARTED);
            assertThat(temp.resolve("rollback").resolve("locks")).isDirectory(); // the lock is still the starter's
        });
        runner().withBean("ownExecutor", RollbackExecutor.class, RollbackExecutor::ofDefaults)
                .run(context -> {
                    assertThat(context).hasSingleBean(RollbackExecutor.class);
                    assertThat(context).hasBean("ownExecutor").doesNotHaveBean("rollbackExecutor");
                });
    }

    @Test
    void withAMeterRegistryTheMetricsAreBoundAndTheExecutorReportsRunsToThem() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(RollbackMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(RollbackMetrics.class).bindTo(registry);
            context.getBean(RollbackExecutor.class)
                    .run(plan("app-rollback", new ArrayList<>()), RunRequest.manual("tester"));
            assertThat(registry.find("rollback.runs")
                            .tag("plan", "app-rollback")
                            .counter())
                    .isNotNull()
                    .satisfies(c -> assertThat(c.count()).isEqualTo(1.0));
        });
        runner().run(context -> assertThat(context).doesNotHaveBean(RollbackMetrics.class));
    }

    @Test
    void theEndpointAndHealthIndicatorAreThereWhenExposedAndEnabled() {
        runner().run(context -> {
            assertThat(context).doesNotHaveBean(RollbackEndpoint.class);
            assertThat(context).hasSingleBean(RollbackHealthIndicator.class);
        });
        runner().withPropertyValues(
                        "management.endpoints.web.exposure.include=rollback",
                        "management.health.rollback.enabled=false")
                .run(context -> {
                    assertThat(context).hasSingleBean(RollbackEndpoint.class);
                    assertThat(context).doesNotHaveBean(RollbackHealthIndicator.class);
                });
    }

    static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
    }

    static RollbackPlan plan(String name, List<String> ran) {
        return RollbackPlan.builder(name, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                .step(RollbackStep.builder("route-traffic-back", "app")
                        .idempotent(true)
                        .action(ctx -> ran.add("route-traffic-back"))
                        .build())
                .build();
    }

    /** A journal that keeps records in memory and lists what was appended. */
    static final class RecordingJournal implements Journal {
        private final List<JournalRecord> appended;

        RecordingJournal(List<JournalRecord> appended) {
            this.appended = appended;
        }

        @Override
        public void append(JournalRecord record) {
            appended.add(record);
        }

        @Override
        public List<JournalRecord> records(String runId) {
            return appended.stream().filter(r -> r.runId().equals(runId)).toList();
        }

        @Override
        public List<String> unfinishedRuns() {
            return List.of();
        }
    }
}
