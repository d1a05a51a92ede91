package dev.rollback.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Spring Boot web application (Tomcat on a free loopback port, Spring MVC, Actuator, Hikari on a
 * real PostgreSQL started by the testkit) with the starter: a burst of real HTTP requests answered 500
 * fires the error-rate rule, and the incident response runs the application's rollback plan bean, whose
 * step puts the application right; the run is journaled in PostgreSQL, in a schema that did not exist
 * until then.
 */
class RollbackWebApplicationIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anErrorBurstOfRealRequestsFiresTheTriggerAndRunsTheRollbackPlanOnce() throws Exception {
        PostgresServer db = POSTGRES.server();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersApplication.class)
                .properties(
                        "server.address=127.0.0.1",
                        "server.port=0",
                        "spring.datasource.url=" + db.jdbcUrl(),
                        "spring.datasource.username=" + db.user(),
                        "spring.datasource.password=" + db.password(),
                        "rollback.config=classpath:dev/rollback/spring/error-rate-only.yaml",
                        "rollback.triggers.enabled=true",
                        "rollback.triggers.evaluation-interval=50ms",
                        "rollback.triggers.tick=50ms",
                        "rollback.triggers.settle-for=0s",
                        "management.endpoints.web.exposure.include=health,rollback",
                        "management.endpoint.rollback.access=unrestricted",
                        "management.endpoint.health.show-details=always")
                .run()) {
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            Orders orders = app.getBean(Orders.class);
            assertThat(schemaExists(db))
                    .as("the journal's schema before any run")
                    .isFalse();

            for (int i = 0; i < 20; i++) {
                assertThat(get(base + "/orders").statusCode()).isEqualTo(200);
            }
            orders.broken.set(true);
            for (int i = 0; i < 30; i++) {
                assertThat(get(base + "/orders").statusCode()).isEqualTo(500);
            }

            IncidentResponse response = app.getBean(IncidentResponse.class);
            IncidentHandle incident = await(
                    () -> response.incidents().stream()
                            .filter(h -> h.run().map(r -> r.isDone()).orElse(false))
                            .findFirst(),
                    Duration.ofSeconds(30));
            assertThat(incident.decision().rule()).isEqualTo(DecisionMatrix.ERROR_RATE);
            assertThat(incident.decision().action()).isEqualTo(DecisionMatrix.APPLICATION_ROLLBACK);
            String runId = incident.run().orElseThrow().runId();
            assertThat(incident.run().orElseThrow().await().outcome().name()).isEqualTo("SUCCEEDED");
            assertThat(orders.rollbacks).containsExactly("route-traffic-to-previous");
            assertThat(get(base + "/orders").statusCode()).isEqualTo(200);

            assertThat(app.getBean(MeterRegistry.class)
                            .find("rollback.runs")
                            .tags("plan", "orders-rollback", "outcome", "SUCCEEDED")
                            .counter())
                    .as("rollback-micrometer's counter, bound by Spring Boot")
                    .isNotNull()
                    .satisfies(c -> assertThat(c.count()).isEqualTo(1.0));

            assertThat(schemaExists(db))
                    .as("the journal's schema after the run")
                    .isTrue();
            assertThat(app.getBean(Journal.class).records(runId))
                    .extracting(JournalRecord::type)
                    .contains(JournalRecord.Type.RUN_STARTED, JournalRecord.Type.RUN_FINISHED);

            String state = get(base + "/actuator/rollback").body();
            assertThat(state)
                    .contains("\"triggers\":\"enabled\"")
                    .contains("\"name\":\"error-rate\"")
                    .contains("\"action\":\"application-rollback\"")
                    .contains("\"runId\":\"" + runId + "\"");
            assertThat(get(base + "/actuator/health").body()).contains("\"rollback\":{\"status\":\"UP\"");

            HttpResponse<String> abort = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/rollback/" + runId))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"test\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(abort.statusCode()).isEqualTo(200);
            assertThat(abort.body()).contains("\"aborted\":false").contains("no live run");
        }
        assertThat(threadsNamed("rollback-trigger-evaluator"))
                .as("after the context closed")
                .isEmpty();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean schemaExists(PostgresServer db) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'rollback'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static List<Thread> threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive())
                .toList();
    }

    /** Polls {@code probe} until it answers, failing after {@code timeout}. */
    private static <T> T await(Supplier<Optional<T>> probe, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<T> answer = probe.get();
            if (answer.isPresent()) {
                return answer.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing within " + timeout);
    }

    /** The application under test: one controller, and the rollback plan of its release. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Orders.class)
    static class OrdersApplication {
        @Bean
        RollbackPlan applicationRollback(Orders orders) {
            return RollbackPlan.builder("orders-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                    .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                    .step(RollbackStep.builder("route-traffic-to-previous", "orders")
                            .idempotent(true)
                            .action(ctx -> {
                                orders.rollbacks.add("route-traffic-to-previous");
                                orders.broken.set(false);
                            })
                            .build())
                    .build();
        }
    }

    /** Serves orders, or 500 while its release is broken. */
    @RestController
    static class Orders {
        final AtomicBoolean broken = new AtomicBoolean();
        final List<String> rollbacks = new CopyOnWriteArrayList<>();

        @GetMapping("/orders")
        ResponseEntity<String> orders() {
            return broken.get() ? ResponseEntity.internalServerError().body("broken release") : ResponseEntity.ok("[]");
        }
    }
}
