package dev.rollback.examples.drill;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.spi.Notifier;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.JdbcConfigStore;
import dev.rollback.integrations.QueueParkStep;
import dev.rollback.integrations.QuickBooksRollback;
import dev.rollback.integrations.Recipients;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The AdvisorOS QuickBooks integration as the drill sees it: the firms' integration settings and the
 * pending sync jobs in PostgreSQL, the OAuth configuration and its backup in a {@link JdbcConfigStore}
 * (secrets only as references), the cached OAuth tokens in Redis, and the QuickBooks API (production
 * and the sandbox fallback) as a local HTTP server whose production side can be taken down. The
 * runbook's answer to failing syncs is the QuickBooks integration rollback: automatic sync off, the
 * pending sync jobs parked (never deleted), the OAuth configuration switched to the backup once the
 * sandbox answers, the cached tokens cleared, the affected users told.
 */
final class IntegrationEstate implements AutoCloseable {
    /** The custom signal of QuickBooks API calls, and the rule and the action it leads to. */
    static final String SIGNAL = "quickbooks-sync";

    static final String RULE = "quickbooks-sync-failures";
    static final String ACTION = "integration-rollback";
    static final String PARK_STEP = "quickbooks-park-sync-jobs";
    private static final Duration T = Duration.ofSeconds(5);
    private static final int FIRMS = 8;
    private static final int JOBS = 120;
    private static final Pattern BASE_URL = Pattern.compile("\"baseUrl\":\"([^\"]+)\"");

    private final DataSource db;
    private final JdbcConfigStore store;
    private final HttpServer api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(T).build();
    private final CacheEstate cache;
    private final Notifier users;
    private volatile boolean productionDown;

    private IntegrationEstate(DataSource db, CacheEstate cache, Notifier users) throws IOException, SQLException {
        this.db = db;
        this.cache = cache;
        this.users = users;
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/quickbooks/v3/health", exchange -> answer(exchange, !productionDown));
        api.createContext("/sandbox/v3/health", exchange -> answer(exchange, true));
        api.start();
        store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        store.create(
                "quickbooks-oauth",
                "{\"clientId\":\"${secret:qb-client-id}\",\"clientSecret\":\"${secret:qb-client-secret}\","
                        + "\"baseUrl\":\"" + base() + "/quickbooks\"}",
                "seed",
                T);
        store.create(
                "quickbooks-oauth-backup",
                "{\"clientId\":\"${secret:qb-backup-client-id}\",\"clientSecret\":\"${secret:qb-backup-client-secret}\","
                        + "\"baseUrl\":\"" + base() + "/sandbox\"}",
                "seed",
                T);
        sql(
                "CREATE TABLE integration_setting (id serial PRIMARY KEY, provider text NOT NULL, owner_email text,"
                        + " auto_sync boolean NOT NULL, status text NOT NULL, last_synced_at timestamptz)",
                "INSERT INTO integration_setting (provider, owner_email, auto_sync, status)"
                        + " SELECT 'quickbooks', 'owner' || g || '@firm' || g || '.example', true, 'ACTIVE'"
                        + " FROM generate_series(1, " + FIRMS + ") g",
                "INSERT INTO integration_setting (provider, owner_email, auto_sync, status)"
                        + " VALUES ('xero', 'xero@firm1.example', true, 'ACTIVE')",
                "CREATE TABLE sync_job (id bigserial PRIMARY KEY, provider text NOT NULL, status text NOT NULL)");
    }

    static IntegrationEstate start(DataSource db, CacheEstate cache, Notifier users) throws IOException, SQLException {
        return new IntegrationEstate(db, cache, users);
    }

    /**
     * QuickBooks production stops answering at {@code now} (the drill's clock): the last successful
     * sync was two minutes before, sync jobs pile up, and the cache holds the integration's tokens.
     */
    void productionOutage(Instant now) throws SQLException {
        productionDown = true;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE integration_setting SET last_synced_at = ?::timestamptz - id * interval '1 second'")) {
            s.setTimestamp(1, Timestamp.from(now.minus(Duration.ofMinutes(2))));
            s.executeUpdate();
        }
        sql(
                "INSERT INTO sync_job (provider, status) SELECT 'quickbooks', 'PENDING' FROM generate_series(1, " + JOBS
                        + ")",
                "INSERT INTO sync_job (provider, status) VALUES ('xero', 'PENDING')");
        cache.seedTokens("qb:token:", FIRMS);
    }

    /** The share of QuickBooks calls failing now: 40% while the configuration in place points at the down production API. */
    int failingPercent() {
        return productionDown && !answers(baseUrlInPlace()) ? 40 : 0;
    }

    /**
     * The runbook's QuickBooks integration rollback, with the pending sync jobs parked right after
     * automatic sync is off (nothing deleted: the parked count is the records-lost measurement).
     */
    RollbackPlan.Builder addQuickBooksRollback(RollbackPlan.Builder plan) {
        RollbackStep tokens = cache.tokenClear("quickbooks-clear-tokens", QuickBooksRollback.COMPONENT, "qb:token:*");
        QuickBooksRollback.builder()
                .dataSource(db)
                .lastSyncColumn("last_synced_at")
                .configStore(store)
                .tokenClear(tokens)
                .notifier(users)
                .affectedUsers(Recipients.fromTable(db)
                        .table("integration_setting")
                        .column("owner_email")
                        .where("provider", "quickbooks")
                        .build())
                .backupEndpointHealth(HealthCheckVerifier.builder()
                        .name("quickbooks-backup-endpoint")
                        .url(base() + "/sandbox/v3/health")
                        .timeout(T)
                        .build())
                .build()
                .addRunbookFragment(plan);
        return plan.step(
                QueueParkStep.builder(db)
                        .id(PARK_STEP)
                        .component(QuickBooksRollback.COMPONENT)
                        .table("sync_job")
                        .statusColumn("status")
                        .pending("PENDING")
                        .parked("PARKED_BY_ROLLBACK")
                        .where("provider", "quickbooks")
                        .build(),
                s -> s.dependsOn(QuickBooksRollback.AUTO_SYNC_OFF));
    }

    /**
     * The post-rollback integration check: the QuickBooks API the configuration in place names
     * answers its health check (production before an outage, the sandbox after the rollback).
     */
    Verifier quickBooksInPlace() {
        return Verifier.of("quickbooks-api-in-place", ctx -> {
            String url = baseUrlInPlace();
            boolean ok = answers(url);
            return new Verification(
                    "quickbooks-api-in-place",
                    ok,
                    "the QuickBooks API of the configuration in place answers its health check",
                    (ok ? "answers: " : "does not answer: ") + url.substring(url.lastIndexOf('/') + 1),
                    Map.of());
        });
    }

    /** What the integration looks like now, read back from the database, the configuration store and the cache. */
    String whatIsInPlace() throws SQLException {
        String url = baseUrlInPlace();
        return "QuickBooks: "
                + count("SELECT count(*) FROM integration_setting WHERE provider = 'quickbooks'"
                        + " AND NOT auto_sync AND status = 'MAINTENANCE'")
                + " of " + FIRMS + " firms paused, the configuration in place uses the "
                + url.substring(url.lastIndexOf('/') + 1) + " API, "
                + count("SELECT count(*) FROM sync_job WHERE provider = 'quickbooks' AND status = 'PARKED_BY_ROLLBACK'")
                + " sync jobs parked, " + count("SELECT count(*) FROM sync_job") + " kept in all; "
                + cache.count("qb:token:*") + " cached tokens; Xero "
                + query("SELECT status FROM integration_setting WHERE provider = 'xero'");
    }

    private String baseUrlInPlace() {
        String content = store.read("quickbooks-oauth", T).orElseThrow().content();
        Matcher m = BASE_URL.matcher(content);
        if (!m.find()) {
            throw new IllegalStateException("the QuickBooks configuration in place names no baseUrl");
        }
        return m.group(1);
    }

    private boolean answers(String baseUrl) {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/v3/health"))
                            .timeout(T)
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String base() {
        return "http://127.0.0.1:" + api.getAddress().getPort();
    }

    private long count(String query) throws SQLException {
        return Long.parseLong(query(query));
    }

    private String query(String query) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static void answer(HttpExchange exchange, boolean ok) throws IOException {
        byte[] body = (ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        api.stop(0);
    }
}
