package dev.rollback.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.Severity;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.Notification;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.azure.appservice.AppServiceRollback;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.notification.WebhookNotifier;
import dev.rollback.core.report.HtmlReportRenderer;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.integrations.ConfigSwitchStep;
import dev.rollback.integrations.JdbcConfigStore;
import dev.rollback.kubernetes.KubernetesRollback;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.postgres.coordination.PostgresJournal;
import dev.rollback.redis.RedisEndpoint;
import dev.rollback.redis.RedisRollback;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.StorageRollback;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azurite.AzuriteServer;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.ChildProcessWatch;
import dev.rollback.testkit.fault.SecretCanaries;
import dev.rollback.testkit.kubernetes.KubernetesFault;
import dev.rollback.testkit.kubernetes.KubernetesMockApiServer;
import dev.rollback.testkit.postgres.PostgresServer;
import dev.rollback.testkit.redis.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 18's proof: one sweep over the five secret kinds (a database password, a full JDBC URL with a
 * password in it, an Azure client secret sent through azure-identity to a token endpoint that echoes
 * it back in its refusal, a webhook token, a Redis password; plus the Kubernetes bearer token and
 * the storage account key), each planted in a failing path of every provider (postgres, redis,
 * azure-appservice, storage, kubernetes, integrations, and core's webhook notifier), and a scan of
 * every place a secret could come out: the log through a real logback pattern layout (full stack
 * traces), the JSON, Markdown and HTML reports, both journals (the file journal's files and the
 * PostgreSQL journal's rows), the {@code toString()} and printed stack trace of every exception the
 * steps throw (causes and suppressed), a {@link Secret} serialized by Jackson, and the command line
 * and environment of every child process while it runs. Expected: nothing found.
 *
 * <p>The Azure client secret and the JDBC URL are never wrapped in a {@link Secret} here: the
 * library never sees them, so {@code Redaction} cannot know them, and nothing may pass them on.
 */
class CanarySweepIT {
    private static final Path LOG = Path.of(System.getProperty("user.dir"), "target", "examples-tests.log");

    @TempDir
    Path dir;

    private final List<Throwable> thrown = new ArrayList<>();
    private final List<RollbackReport> reports = new ArrayList<>();

    @Test
    void noSecretOfAnyKindLeavesAnyProviderThroughAnyChannel() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        RedisServer redisServer = RedisServer.shared();
        AzuriteServer azurite = AzuriteServer.shared();
        SecretCanaries generated = SecretCanaries.generate();
        String jdbcPassword = "jdbc-" + UUID.randomUUID() + "+/=\"";
        String role = "sweep_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String jdbcUrl = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/postgres?user=" + role
                + "&password=" + URLEncoder.encode(jdbcPassword, StandardCharsets.UTF_8);
        SecretCanaries canaries = new SecretCanaries(
                generated.password(),
                jdbcUrl,
                generated.azureClientSecret(),
                generated.oauthSecret(), // the webhook's bearer token
                generated.redisPassword());
        String kubeToken = "kube-" + UUID.randomUUID();
        String storageKey = Base64.getEncoder()
                .encodeToString(UUID.randomUUID().toString().repeat(2).getBytes(StandardCharsets.UTF_8));
        Map<String, String> secrets = new LinkedHashMap<>(canaries.byKind());
        secrets.put("jdbc-url-password", jdbcPassword);
        secrets.put("kubernetes-token", kubeToken);
        secrets.put("storage-account-key", storageKey);
        CanaryScanner scanner = CanaryScanner.of(secrets);

        // The database password is live: a role logs in with it, so pg_dump really starts with it.
        String database = role + "_db";
        try (Connection admin = postgres.connect();
                Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '"
                    + canaries.password().replace("'", "''") + "'");
            s.execute("CREATE DATABASE " + database + " OWNER " + role);
            s.execute("CREATE DATABASE " + database + "_journal");
        }
        PostgresEndpoint db = PostgresEndpoint.builder()
                .host(postgres.host())
                .port(postgres.port())
                .database(database)
                .user(role)
                .password(Secret.of(canaries.password()))
                .build();
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ledger(id int PRIMARY KEY)");
        }
        PostgresEndpoint journalDb = PostgresEndpoint.builder()
                .host(postgres.host())
                .port(postgres.port())
                .database(database + "_journal")
                .user(postgres.user())
                .password(Secret.of(postgres.password()))
                .build();

        try (AzureControlPlaneSimulator azure =
                        AzureControlPlaneSimulator.builder().start();
                KubernetesMockApiServer kube = KubernetesMockApiServer.start();
                FileJournal fileJournal = FileJournal.of(dir.resolve("journal"));
                ChildProcessWatch children = ChildProcessWatch.start(scanner)) {
            azure.entraId().refusesEchoingTheSecret();
            var clientSecretCredential =
                    AzureSimulatorClients.clientSecretCredential(azure, "sweep-app", canaries.azureClientSecret());
            PostgresJournal postgresJournal = PostgresJournal.open(journalDb);
            Journal journals = new BothJournals(fileJournal, postgresJournal);
            HttpServer webhook = echoingWebhook();
            try {
                List<RollbackStep> steps = new ArrayList<>();
                // provider-postgres: the password in pg_dump's password file while pg_dump waits behind a lock
                steps.add(EmergencyBackupStep.builder()
                        .id("postgres-backup")
                        .endpoint(db)
                        .backupDir(Files.createDirectories(dir.resolve("backups")))
                        .binDir(postgres.binaries().binDir())
                        .build());
                // provider-postgres, passwordless: the Azure client secret refused and echoed by Entra ID
                steps.add(EmergencyBackupStep.builder()
                        .id("postgres-entra-backup")
                        .endpoint(db.toBuilder()
                                .entraToken(clientSecretCredential)
                                .build())
                        .backupDir(Files.createDirectories(dir.resolve("entra-backups")))
                        .binDir(postgres.binaries().binDir())
                        .build());
                // provider-redis: a refused password, and a refused Entra ID login
                steps.add(RedisRollback.of(RedisEndpoint.builder()
                                .host(redisServer.host())
                                .port(redisServer.port())
                                .password(Secret.of(canaries.redisPassword()))
                                .build())
                        .flush()
                        .id("redis-flush")
                        .build());
                steps.add(RedisRollback.of(RedisEndpoint.builder()
                                .host(redisServer.host())
                                .port(redisServer.port())
                                .entraToken(
                                        clientSecretCredential,
                                        UUID.randomUUID().toString())
                                .build())
                        .flush()
                        .id("redis-entra-flush")
                        .build());
                // provider-azure-appservice: the ARM client's credential is refused, the secret echoed
                steps.add(AppServiceRollback.ofAppServiceManager(AzureSimulatorClients.resourceManager(
                                        azure, DeadlineAwareRetryPolicy.ofDefaults(), clientSecretCredential)
                                .webApps()
                                .manager())
                        .slotSwap()
                        .resourceGroup("rg")
                        .app("shop")
                        .expectedVersion("v41")
                        .build());
                // provider-storage: a connection string with a wrong account key
                String wrongKey = azurite.connectionString().replaceAll("AccountKey=[^;]*", "AccountKey=" + storageKey);
                steps.add(StorageRollback.ofBlobs(BlobStorage.builder()
                                .connectionString(Secret.of(wrongKey))
                                .build())
                        .blobSync()
                        .sourceContainer(StorageRollback.RUNBOOK_SOURCE_CONTAINER)
                        .destinationContainer(StorageRollback.RUNBOOK_DESTINATION_CONTAINER)
                        .build());
                // provider-kubernetes: the bearer token refused
                kube.inject(KubernetesFault.status(401).times(1000));
                steps.add(KubernetesRollback.fromKubeconfig(kube.writeKubeconfig(dir.resolve("kubeconfig"), kubeToken))
                        .imageRollback()
                        .namespace("web")
                        .deployment("web")
                        .build());
                // provider-integrations: a configuration store on a JDBC URL whose password is refused
                PGSimpleDataSource refused = new PGSimpleDataSource();
                refused.setURL(jdbcUrl);
                steps.add(ConfigSwitchStep.builder(
                                JdbcConfigStore.builder().dataSource(refused).build())
                        .id("integrations-config")
                        .component("integrations")
                        .config("quickbooks-oauth")
                        .backup("quickbooks-oauth-backup")
                        .build());
                // rollback-core: the webhook notifier's token, and an answer that echoes it
                WebhookNotifier notifier = WebhookNotifier.custom()
                        .name("ops")
                        .endpoint(URI.create(
                                "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"))
                        .bearerToken(Secret.of(canaries.oauthSecret()))
                        .build();
                Notification notification = new Notification(
                        "INC-1",
                        "technical-team",
                        List.of("ops@example.com"),
                        Severity.SEV1,
                        "rollback failed",
                        "see the report",
                        Instant.now(),
                        Instant.now());
                steps.add(RollbackStep.builder("webhook-notify", "notifications")
                        .action(context -> notifier.send(notification))
                        .build());

                try (Connection lock = db.connect();
                        Statement s = lock.createStatement()) {
                    lock.setAutoCommit(false);
                    s.execute("LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE");
                    for (RollbackStep step : steps) {
                        run(step, journals);
                        thrown.add(catchThrowable(
                                () -> step.execute(TestStepContext.of(step.id(), Duration.ofSeconds(3)))));
                    }
                    lock.rollback();
                }
                assertThat(reports).hasSize(steps.size());
                // The scan can find what it looks for: the client secret did reach the token endpoint, URL-encoded.
                assertThat(azure.entraId().tokenRequests()).isNotEmpty();
                assertThat(scanner.scan(
                                "token requests",
                                azure.requests().matching("POST", "/oauth2/v2.0/token").all().stream()
                                        .map(r -> r.body())
                                        .toList()
                                        .toString()))
                        .extracting(CanaryScanner.Finding::kind)
                        .contains("azure-client-secret");
                assertThat(children.childrenSeen())
                        .as("pg_dump ran while the watch looked")
                        .anySatisfy(child -> assertThat(child).contains("pg_dump"));
                assertThat(children.findings())
                        .as("child command lines and environments")
                        .isEmpty();
            } finally {
                webhook.stop(0);
            }

            assertThat(reports).allSatisfy(r -> assertThat(r.outcome()).isNotEqualTo(RunOutcome.SUCCEEDED));
            for (RollbackReport report : reports) {
                String plan = report.planName();
                assertThat(scanner.scan("json report of " + plan, JsonReportRenderer.render(report)))
                        .as(JsonReportRenderer.render(report))
                        .isEmpty();
                assertThat(scanner.scan("markdown report of " + plan, MarkdownReportRenderer.render(report)))
                        .isEmpty();
                assertThat(scanner.scan("html report of " + plan, HtmlReportRenderer.render(report)))
                        .isEmpty();
            }
            assertThat(thrown).hasSize(reports.size()).doesNotContainNull();
            for (Throwable failure : thrown) {
                assertThat(scanner.scan("exception", failure)).isEmpty();
            }
            assertThat(scanner.scan(dir.resolve("journal"))).as("file journal").isEmpty();
            assertThat(scanner.scan("postgres journal", rows(journalDb))).isEmpty();
        }

        // Jackson: a Secret has no property, so a lenient mapper writes {} and a strict one refuses it
        Secret password = Secret.of(canaries.password());
        ObjectMapper lenient = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        String written = lenient.writeValueAsString(
                Map.of("password", password, "redis", List.of(Secret.of(canaries.redisPassword()))));
        assertThat(written).contains("\"password\":{}");
        assertThat(scanner.scan("jackson", written)).isEmpty();
        Throwable strict = catchThrowable(() -> new ObjectMapper().writeValueAsString(password));
        assertThat(strict).isNotNull();
        assertThat(scanner.scan("jackson refusal", strict)).isEmpty();
        assertThat(Files.readString(LOG)).as("the log holds the failures").contains("postgres-backup");
        assertThat(scanner.scan(LOG)).as("log").isEmpty();
        assertThat(scanner.scanCommandLines()).isEmpty();
    }

    private void run(RollbackStep step, Journal journal) {
        RollbackPlan plan = RollbackPlan.builder(
                        "sweep-" + step.id(), RecoveryObjectives.stateless(Duration.ofMinutes(1)))
                .step(step, s -> {
                    s.timeout(Duration.ofSeconds(3)).retry(RetrySettings.none());
                    if (step.destructive()) {
                        s.withoutSafeguard("the canary sweep drives failures only");
                    }
                })
                .build();
        try (RollbackExecutor executor = RollbackExecutor.builder()
                .listener(new Slf4jRollbackListener())
                .journal(journal)
                .build()) {
            reports.add(executor.run(plan, RunRequest.drill("canary-sweep")));
        }
    }

    /** Every row of every table of the journal's database, as JSON text. */
    private static String rows(PostgresEndpoint journalDb) throws Exception {
        StringBuilder all = new StringBuilder();
        List<String> tables = new ArrayList<>();
        try (Connection c = journalDb.connect();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)"
                            + " FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT row_to_json(t)::text FROM " + table + " t")) {
                    while (rs.next()) {
                        all.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        assertThat(tables).as("the PostgreSQL journal has tables").isNotEmpty();
        assertThat(all).as("and rows").isNotEmpty();
        return all.toString();
    }

    /** A webhook that refuses with 500 and echoes the request's Authorization header in its body. */
    private static HttpServer echoingWebhook() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = ("{\"error\":\"rejected "
                            + exchange.getRequestHeaders().getFirst("Authorization") + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Every record to the file journal and to the PostgreSQL journal; reads from the file journal. */
    private record BothJournals(FileJournal file, PostgresJournal postgres) implements Journal {
        @Override
        public void append(JournalRecord record) {
            file.append(record);
            postgres.append(record);
        }

        @Override
        public List<JournalRecord> records(String runId) {
            return file.records(runId);
        }

        @Override
        public List<String> unfinishedRuns() {
            return file.unfinishedRuns();
        }
    }
}
