package dev.rollback.testkit.redis;

import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestServer;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Commands;
import dev.rollback.testkit.internal.Daemon;
import dev.rollback.testkit.internal.Folders;
import dev.rollback.testkit.internal.FreePorts;
import dev.rollback.testkit.internal.Passwords;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A real Redis server for tests on a free port of 127.0.0.1, with a generated password and no
 * persistence.
 *
 * <p>The binary is, in order: the one configured with {@link Builder#executable(Path)}; the
 * machine's {@code redis-server} on the PATH; else the Redis 6.2 binary for this platform shipped
 * in the {@code com.github.codemonstur:embedded-redis} artifact (a dependency of the testkit),
 * extracted once to {@code java.io.tmpdir/rollback-testkit/}. The configuration, password included,
 * is a 0600 file in a temporary folder, never a command-line argument.
 *
 * <p>{@link #stop()} is a clean shutdown (SIGTERM), {@link #crash()} a SIGKILL; both keep the port
 * and password for the next {@link #start()}. Nothing survives a restart (no persistence).
 * Thread-safe: lifecycle methods are serialized.
 */
public final class RedisServer implements TestServer {
    private static final String HOST = "127.0.0.1";
    private static final String ARTIFACT = "com.github.codemonstur:embedded-redis:1.4.3";

    private final Optional<Path> configuredExecutable;
    private final Duration startTimeout;
    private final String password = Passwords.generate(24);

    private Path executable;
    private Path baseDir;
    private Daemon daemon;
    private int port;
    private boolean closed;

    private RedisServer(Builder b) {
        this.configuredExecutable = Optional.ofNullable(b.executable);
        this.startTimeout = b.startTimeout;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The JVM-wide server, started on first use and closed when the JVM exits. */
    public static RedisServer shared() {
        return Shared.INSTANCE;
    }

    /** A JUnit 5 extension that starts a new default server per test class. */
    public static ServerExtension<RedisServer> extension() {
        return ServerExtension.perClass(RedisServer.class, () -> builder().build());
    }

    /** A JUnit 5 extension that hands every test class the {@link #shared()} server. */
    public static ServerExtension<RedisServer> sharedExtension() {
        return ServerExtension.shared(RedisServer.class, RedisServer::shared);
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this RedisServer was closed; build a new one");
        }
        if (isRunning()) {
            return;
        }
        if (baseDir == null) {
            executable = configuredExecutable
                    .or(() -> Commands.onPath("redis-server"))
                    .orElseGet(RedisServer::extractShipped);
            baseDir = Folders.createTemp("rollback-redis-");
            Cleanup.register(this);
            port = FreePorts.next();
            daemon = new Daemon("redis-server", baseDir.resolve("redis.log"));
            writeConfiguration();
        }
        daemon.start(List.of(executable.toString(), configFile().toString()), baseDir, port, startTimeout);
    }

    @Override
    public synchronized void stop() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    /** Kills the server with SIGKILL, as a crash would. {@link #start()} starts it again, empty. */
    public synchronized void crash() {
        if (daemon != null) {
            daemon.kill();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return daemon != null && daemon.isRunning();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (baseDir != null) {
                Folders.deleteRecursively(baseDir);
            }
            Cleanup.unregister(this);
        }
    }

    /** The server's process id while it runs. */
    public synchronized Optional<Long> pid() {
        return daemon == null ? Optional.empty() : daemon.pid();
    }

    /** The loopback address the server listens on: {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The TCP port; chosen at first start and kept across restarts. */
    public synchronized int port() {
        requireStartedOnce();
        return port;
    }

    /** The generated password ({@code requirepass}, user {@code default}). Never log it. */
    public String password() {
        return password;
    }

    /** The redis-server binary this server runs. */
    public synchronized Path executable() {
        requireStartedOnce();
        return executable;
    }

    /** The temporary folder of its configuration and log; gone after {@link #close()}. */
    public synchronized Path baseDir() {
        requireStartedOnce();
        return baseDir;
    }

    @Override
    public String toString() {
        return "RedisServer[" + HOST + ":" + port + "]";
    }

    private Path configFile() {
        return baseDir.resolve("redis.conf");
    }

    private void writeConfiguration() {
        String conf = String.join(
                "\n",
                "bind " + HOST,
                "port " + port,
                "protected-mode yes",
                "requirepass " + password,
                "daemonize no",
                "save \"\"",
                "appendonly no",
                "dir " + baseDir,
                "logfile \"\"",
                "");
        try {
            Files.writeString(
                    Files.createFile(
                            configFile(),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    conf,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile(), e);
        }
    }

    private void requireStartedOnce() {
        if (baseDir == null) {
            throw new IllegalStateException("the RedisServer has not been started yet");
        }
    }

    /** Extracts the embedded-redis binary for this platform once per machine (atomic rename). */
    private static Path extractShipped() {
        String resource = shippedResource();
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "rollback-testkit", resource);
        if (Files.isExecutable(target)) {
            return target;
        }
        try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and " + ARTIFACT + " is not on the "
                        + "classpath (resource /" + resource + " missing); add that artifact or install Redis "
                        + "(Debian/Ubuntu: `apt-get install redis-server`)");
            }
            Folders.create(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), resource, ".partial");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the redis-server binary to " + target, e);
        }
    }

    private static String shippedResource() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("linux") && arch.equals("aarch64")) {
            return "redis-server-6.2.7-linux-arm64";
        }
        throw new IllegalStateException("no redis-server on the PATH, and " + ARTIFACT + " ships no binary for "
                + os + "/" + arch + "; install Redis (Debian/Ubuntu: `apt-get install redis-server`) or configure "
                + "RedisServer.builder().executable(path)");
    }

    /** Holder of the JVM-wide server. */
    private static final class Shared {
        static final RedisServer INSTANCE = startShared();

        private static RedisServer startShared() {
            RedisServer server = builder().build();
            server.start();
            return server;
        }
    }

    /**
     * Builds a {@link RedisServer}. Not thread-safe; each {@link #build()} returns a new stopped
     * server and leaves the builder reusable.
     */
    public static final class Builder {
        private Path executable;
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** The redis-server binary to run. Default: the PATH's, else the one shipped in embedded-redis. */
        public Builder executable(Path executable) {
            this.executable = Objects.requireNonNull(executable, "executable");
            return this;
        }

        /** How long start may take. Default: 30 seconds; at least one second. */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("startTimeout must be at least 1s, but was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** A new stopped server. */
        public RedisServer build() {
            return new RedisServer(this);
        }
    }
}
