package dev.rollback.testkit.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.testkit.internal.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium for tests of HTML reports, driven over the Chrome DevTools Protocol with
 * the JDK's WebSocket client: open a page, collect its console errors and uncaught exceptions, run
 * JavaScript against the laid-out page, take a screenshot at a given viewport size.
 *
 * <p>It uses the machine's Chromium ({@code /usr/bin/chromium}, or the path in the system property
 * {@value #PROPERTY}); when none is installed, {@link #start()} fails with how to install it (Debian:
 * {@code apt-get install chromium}); it never downloads a browser. As root it runs with
 * {@code --no-sandbox}. Network access is off (no background networking, no component updates), a
 * fresh profile is made per instance and deleted on {@link #close()}.
 *
 * <p>One page per instance; not thread-safe.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** The system property naming the Chromium executable. */
    public static final String PROPERTY = "rollback.chromium";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** The Chromium this kit would use, if one is installed. */
    public static Optional<Path> executable() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a headless Chromium on a free loopback debugging port.
     *
     * @throws IllegalStateException when no Chromium is installed, saying how to install one
     */
    public static HeadlessChromium start() throws IOException, InterruptedException {
        Path binary = executable()
                .orElseThrow(() -> new IllegalStateException("no Chromium found (looked for /usr/bin/chromium,"
                        + " chromium-browser, google-chrome, and -D" + PROPERTY + "): install it with"
                        + " `apt-get install -y chromium` (Debian/Ubuntu; .ci/run does this), or point -D"
                        + PROPERTY + " at a Chromium or Chrome executable"));
        Path profile = Folders.createTemp("rollback-chromium-");
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--headless=new",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--no-sandbox");
        }
        command.add("about:blank");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Chromium did not start within " + TIMEOUT + ": " + tail(profile.resolve("chromium.log")));
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                    .timeout(TIMEOUT)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            String page = null;
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    page = t.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (page == null) {
                throw new IllegalStateException("Chromium has no page target: " + targets);
            }
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(page), listener)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
            listener.owner = chromium;
            chromium.call("Runtime.enable", JSON.createObjectNode());
            chromium.call("Log.enable", JSON.createObjectNode());
            chromium.call("Page.enable", JSON.createObjectNode());
            return chromium;
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("cannot connect to Chromium's debugging port", e);
        }
    }

    /** Sets the viewport (CSS pixels), as a phone or a desktop would have it. */
    public void viewport(int width, int height) throws IOException, InterruptedException {
        ObjectNode p = JSON.createObjectNode();
        p.put("width", width).put("height", height).put("deviceScaleFactor", 1).put("mobile", width < 700);
        call("Emulation.setDeviceMetricsOverride", p);
    }

    /** Opens {@code file} and waits for its load event. */
    public void open(Path file) throws IOException, InterruptedException {
        Objects.requireNonNull(file, "file");
        loaded = new CompletableFuture<>();
        ObjectNode p = JSON.createObjectNode();
        p.put("url", file.toAbsolutePath().toUri().toString());
        call("Page.navigate", p);
        try {
            loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the page " + file + " did not load within " + TIMEOUT, e);
        }
    }

    /** Evaluates {@code expression} in the page and returns its value (as JSON). */
    public JsonNode evaluate(String expression) throws IOException, InterruptedException {
        ObjectNode p = JSON.createObjectNode();
        p.put("expression", expression).put("returnByValue", true).put("awaitPromise", true);
        JsonNode result = call("Runtime.evaluate", p);
        if (result.has("exceptionDetails")) {
            throw new IOException("the expression threw: " + result.path("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * The console errors and warnings, uncaught exceptions and failed loads seen since the browser
     * started, each as one line.
     */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Saves a PNG screenshot of the whole page at the current viewport width. */
    public void screenshot(Path png) throws IOException, InterruptedException {
        ObjectNode p = JSON.createObjectNode();
        p.put("format", "png").put("captureBeyondViewport", true);
        String data = call("Page.captureScreenshot", p).path("data").asText();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() {
        socket.abort();
        // Chromium's helpers (renderer, GPU, crash handler) outlive the browser process for a moment
        // and keep writing to the profile, so they are stopped too before the profile is deleted.
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle helper : helpers) {
                helper.destroyForcibly();
                helper.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a helper that will not die leaves its files; the delete below says which
        }
        Folders.deleteRecursively(profile);
    }

    private JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id).put("method", method).set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).join();
        try {
            JsonNode reply = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IOException(method + " failed: " + reply.path("error"));
            }
            return reply.path("result");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(method + " got no answer within " + TIMEOUT, e);
        } finally {
            pending.remove(id);
        }
    }

    private void onMessage(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(m.path("id").asInt());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        JsonNode p = m.path("params");
        switch (m.path("method").asText()) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.exceptionThrown" ->
                problems.add(
                        "exception: " + p.path("exceptionDetails").path("text").asText() + " "
                                + p.path("exceptionDetails")
                                        .path("exception")
                                        .path("description")
                                        .asText());
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("warning") || type.equals("assert")) {
                    problems.add("console." + type + ": " + p.path("args"));
                }
            }
            case "Log.entryAdded" -> {
                String level = p.path("entry").path("level").asText();
                if (level.equals("error") || level.equals("warning")) {
                    problems.add(
                            "log." + level + ": " + p.path("entry").path("text").asText() + " "
                                    + p.path("entry").path("url").asText());
                }
            }
            default -> {}
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    HeadlessChromium o = owner;
                    if (o != null) {
                        o.onMessage(JSON.readTree(text));
                    }
                } catch (IOException e) {
                    // A message that is not JSON is not from the DevTools protocol; ignore it.
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
