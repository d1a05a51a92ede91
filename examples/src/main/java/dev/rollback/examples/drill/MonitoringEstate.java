package dev.rollback.examples.drill;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.ApplicationInsightsRollback;
import dev.rollback.integrations.FileConfigStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AdvisorOS telemetry as the drill sees it: two Application Insights ingestion endpoints (the
 * primary in eastus, the backup in westus) as a local HTTP server that records every telemetry item
 * it accepts; the agent's configuration files (the connection string, a secret, and
 * {@code monitoring.json}); and the agent itself, in process: it loads its connection string when
 * it (re)starts (the restart command touches its restart file and waits until the agent has loaded
 * its configuration again, as {@code systemctl restart} waits for the service), sends
 * the application's numbered telemetry items to its ingestion endpoint, and keeps in its buffer what
 * the endpoint refused, up to ten minutes of items. The runbook's answer to failing ingestion is the
 * Application Insights rollback; afterwards the drill counts the items lost: those the application
 * emitted that neither endpoint received.
 */
final class MonitoringEstate implements AutoCloseable {
    /** The custom signal of telemetry sends, and the rule and the action it leads to. */
    static final String SIGNAL = "telemetry-ingestion";

    static final String RULE = "telemetry-ingestion-failures";
    static final String ACTION = "monitoring-rollback";
    static final String RECONCILE_STEP = "telemetry-reconciled";
    /** Ten minutes of items at one item per replayed second. */
    private static final int BUFFER = 600;

    /**
     * The agent's restart, as {@code systemctl restart} does it: returns once the agent runs again
     * (it writes {@code <restart file>.loaded} when it has loaded its configuration).
     */
    private static final String RESTART = "touch \"$0\" && while [ \"$0\" -nt \"$0.loaded\" ]; do sleep 0.02; done";

    private static final Pattern ENDPOINT = Pattern.compile("IngestionEndpoint=([^;\\s]+)");

    private final Path config;
    private final Path restartFile;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "drill-ingestion");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<Long> received = new ConcurrentSkipListSet<>();
    private final Agent agent = new Agent();
    private volatile boolean primaryDown;

    private MonitoringEstate(Path work) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ingest/eastus", exchange -> ingest(exchange, !primaryDown));
        server.createContext("/ingest/westus", exchange -> ingest(exchange, true));
        server.createContext("/monitoring/health", exchange -> {
            boolean ok = agent.endpoint().map(this::answers).orElse(false);
            byte[] body = (ok ? "telemetry flowing" : "telemetry refused").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // the health handler calls the ingestion endpoints of the same server: more than one handler thread
        server.setExecutor(handlers);
        server.start();
        config = Files.createDirectories(work.resolve("monitoring-config"));
        // the instrumentation keys are made-up GUIDs; the drill never prints the files' contents
        Files.writeString(
                config.resolve("applicationinsights.conf"),
                "InstrumentationKey=3f1c2a9e-0000-4000-8000-00000000e001;IngestionEndpoint=" + base()
                        + "/ingest/eastus");
        Files.writeString(
                config.resolve("applicationinsights-backup.conf"),
                "InstrumentationKey=3f1c2a9e-0000-4000-8000-00000000b002;IngestionEndpoint=" + base()
                        + "/ingest/westus");
        Files.writeString(config.resolve("monitoring.json"), "{\"sampling\":100,\"region\":\"eastus\"}");
        Files.writeString(config.resolve("monitoring-backup.json"), "{\"sampling\":100,\"region\":\"westus\"}");
        restartFile = config.resolve("applicationinsights-agent.restart");
        Files.writeString(restartFile, "");
        agent.start();
    }

    static MonitoringEstate start(Path work) throws IOException {
        return new MonitoringEstate(work);
    }

    /** The primary ingestion endpoint stops accepting telemetry. */
    void ingestionOutage() {
        primaryDown = true;
    }

    /** The application emits {@code n} telemetry items; returns how many of them the agent could not send now. */
    int emit(int n) {
        return agent.emit(n);
    }

    /**
     * The runbook's Application Insights rollback (connection string and {@code monitoring.json}
     * switched to the backup's, the agent restarted, the monitoring health checked), then
     * {@value #RECONCILE_STEP}: waits, within its deadline, until the agent's buffer is sent, and
     * counts the items lost.
     */
    RollbackPlan.Builder addMonitoringRollback(RollbackPlan.Builder plan) {
        ApplicationInsightsRollback.builder()
                .configStore(FileConfigStore.of(config))
                .connectionConfig("applicationinsights.conf", "applicationinsights-backup.conf")
                .monitoringConfig("monitoring.json", "monitoring-backup.json")
                .addAgent(ApplicationInsightsRollback.AGENT, "sh", "-c", RESTART, restartFile.toString())
                .restartTimeout(Duration.ofSeconds(20))
                .monitoringHealth(health())
                .build()
                .addRunbookFragment(plan);
        return plan.step(
                RollbackStep.builder(RECONCILE_STEP, ApplicationInsightsRollback.COMPONENT)
                        .idempotent(true)
                        .actsOn("telemetry of the application, both ingestion endpoints")
                        .action(ctx -> {
                            while (agent.buffered() > 0 && ctx.remaining().compareTo(Duration.ofMillis(50)) > 0) {
                                ctx.checkpoint();
                                ctx.clock().sleep(Duration.ofMillis(20));
                            }
                            long lost = lost();
                            ctx.evidence("telemetry.emitted", Long.toString(agent.emitted()));
                            ctx.evidence("telemetry.received", Long.toString(received.size()));
                            ctx.evidence("telemetry.buffered", Long.toString(agent.buffered()));
                            ctx.evidence(EvidenceKey.RECORDS_LOST, lost);
                            if (agent.buffered() > 0) {
                                throw new IllegalStateException(agent.buffered()
                                        + " telemetry items are still in the agent's buffer at the step's deadline");
                            }
                        })
                        .build(),
                s -> s.dependsOn("restart-" + ApplicationInsightsRollback.AGENT));
    }

    /** The monitoring health check: the ingestion endpoint the agent sends to accepts telemetry. */
    HealthCheckVerifier health() {
        return HealthCheckVerifier.builder()
                .name("monitoring-health")
                .url(base() + "/monitoring/health")
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    /** Items the application emitted that no endpoint received and the agent no longer holds. */
    long lost() {
        return agent.emitted() - received.size() - agent.buffered();
    }

    /** What the telemetry looks like now. */
    String whatIsInPlace() {
        String region =
                agent.endpoint().map(e -> e.substring(e.lastIndexOf('/') + 1)).orElse("nowhere");
        return "the agent sends to " + region + " (restarted " + agent.restarts() + " time(s)); "
                + agent.emitted() + " telemetry items emitted, " + received.size() + " received, "
                + agent.buffered() + " buffered, " + lost() + " lost";
    }

    private void ingest(HttpExchange exchange, boolean accepting) throws IOException {
        List<Long> items = new ArrayList<>();
        try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!body.isEmpty()) {
                for (String item : body.split(",")) {
                    items.add(Long.parseLong(item));
                }
            }
        }
        if (accepting) {
            received.addAll(items);
        }
        exchange.sendResponseHeaders(accepting ? 200 : 503, -1);
        exchange.close();
    }

    private boolean answers(String endpoint) {
        return send(endpoint, List.of());
    }

    private boolean send(String endpoint, List<Long> items) {
        StringBuilder body = new StringBuilder();
        for (Long item : items) {
            body.append(body.length() == 0 ? "" : ",").append(item);
        }
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(endpoint))
                            .timeout(Duration.ofSeconds(2))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
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
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The agent: loads its endpoint when (re)started, sends and buffers; restarts when its restart file is touched. */
    private final class Agent {
        private final Deque<Long> buffer = new ArrayDeque<>();
        private String endpoint;
        private FileTime started;
        private long emitted;
        private int restarts;
        private Thread watcher;

        synchronized void start() {
            load();
            watcher = new Thread(
                    () -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                Thread.sleep(20);
                                restartIfTouched();
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "drill-applicationinsights-agent");
            watcher.setDaemon(true);
            watcher.start();
        }

        private void load() {
            try {
                started = Files.getLastModifiedTime(restartFile);
                Matcher m = ENDPOINT.matcher(Files.readString(config.resolve("applicationinsights.conf")));
                endpoint = m.find() ? m.group(1) : null;
                Path loaded = restartFile.resolveSibling(restartFile.getFileName() + ".loaded");
                Files.writeString(loaded, "");
                Files.setLastModifiedTime(
                        loaded, FileTime.from(started.toInstant().plusMillis(1)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private synchronized void restartIfTouched() {
            try {
                if (!Files.getLastModifiedTime(restartFile).equals(started)) {
                    load();
                    restarts++;
                }
            } catch (IOException e) {
                return; // read again at the next poll
            }
            if (!buffer.isEmpty()) {
                flush();
            }
        }

        synchronized int emit(int n) {
            for (int i = 0; i < n; i++) {
                buffer.add(++emitted);
            }
            while (buffer.size() > BUFFER) {
                buffer.removeFirst(); // the oldest item is dropped: lost
            }
            int pending = buffer.size();
            flush();
            return buffer.isEmpty() ? 0 : Math.min(n, pending);
        }

        private void flush() {
            if (endpoint != null && send(endpoint, List.copyOf(buffer))) {
                buffer.clear();
            }
        }

        synchronized Optional<String> endpoint() {
            return Optional.ofNullable(endpoint);
        }

        synchronized long emitted() {
            return emitted;
        }

        synchronized long buffered() {
            return buffer.size();
        }

        synchronized int restarts() {
            return restarts;
        }

        void stop() {
            Thread t = watcher;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    @Override
    public void close() {
        agent.stop();
        server.stop(0);
        handlers.shutdownNow();
    }
}
