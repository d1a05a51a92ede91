package dev.rollback.testkit.azurite;

import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestServer;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Commands;
import dev.rollback.testkit.internal.Daemon;
import dev.rollback.testkit.internal.Folders;
import dev.rollback.testkit.internal.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Azurite's Blob service (the Azure Storage emulator) for tests, on a free port of 127.0.0.1, with
 * in-memory persistence, for the real {@code azure-storage-blob} client.
 *
 * <p>Azurite comes from the npm registry at the pinned version {@value #VERSION}: on first use the
 * kit runs {@code npm install --prefix <cache> azurite@}{@value #VERSION} into
 * {@code ~/.cache/rollback-testkit/azurite-}{@value #VERSION} (or the folder set with
 * {@link Builder#installDir(Path)}), under a file lock so that parallel JVMs install it once.
 * Node.js and npm must be on the PATH. It runs {@code azurite-blob --blobHost 127.0.0.1
 * --inMemoryPersistence --loose --skipApiVersionCheck --disableTelemetry}.
 *
 * <p>It runs in a temporary folder (its working directory, since {@code --location} and in-memory
 * persistence exclude each other). The account is Azurite's well-known development account, whose
 * key is public, unless {@link Builder#account(String, String)} names another (passed in Azurite's
 * environment as {@code AZURITE_ACCOUNTS}, never on its command line; the development account is
 * then gone). Data lives in memory, so {@link #stop()} and {@link #restart()} lose it, unless
 * {@link Builder#persistent(boolean) persistent}: then it lives in the temporary folder
 * ({@code --location}) and survives a stop and a start. The port is kept. Thread-safe: lifecycle
 * methods are serialized.
 */
public final class AzuriteServer implements TestServer {
    /** The Azurite version the kit installs. */
    public static final String VERSION = "3.37.0";
    /** Azurite's development account name. */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    /** Azurite's development account key: public, documented by Microsoft, not a secret. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final String HOST = "127.0.0.1";

    private final Path installDir;
    private final Duration startTimeout;
    private final Duration installTimeout;
    private final boolean persistent;
    private final String accountName;
    private final String accountKey;

    private Path baseDir;
    private Daemon daemon;
    private int port;
    private boolean closed;

    private AzuriteServer(Builder b) {
        this.installDir = b.installDir;
        this.startTimeout = b.startTimeout;
        this.installTimeout = b.installTimeout;
        this.persistent = b.persistent;
        this.accountName = b.accountName;
        this.accountKey = b.accountKey;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The JVM-wide server, started on first use and closed when the JVM exits. */
    public static AzuriteServer shared() {
        return Shared.INSTANCE;
    }

    /** A JUnit 5 extension that starts a new default server per test class. */
    public static ServerExtension<AzuriteServer> extension() {
        return ServerExtension.perClass(AzuriteServer.class, () -> builder().build());
    }

    /** A JUnit 5 extension that hands every test class the {@link #shared()} server. */
    public static ServerExtension<AzuriteServer> sharedExtension() {
        return ServerExtension.shared(AzuriteServer.class, AzuriteServer::shared);
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this AzuriteServer was closed; build a new one");
        }
        if (isRunning()) {
            return;
        }
        Path executable = install(installDir, installTimeout);
        if (baseDir == null) {
            baseDir = Folders.createTemp("rollback-azurite-");
            Cleanup.register(this);
            port = FreePorts.next();
            daemon = new Daemon("azurite-blob", baseDir.resolve("azurite.log"));
        }
        List<String> command = new ArrayList<>(
                List.of(executable.toString(), "--blobHost", HOST, "--blobPort", Integer.toString(port)));
        if (persistent) {
            command.addAll(List.of("--location", baseDir.resolve("data").toString()));
        } else {
            command.add("--inMemoryPersistence");
        }
        command.addAll(List.of("--loose", "--skipApiVersionCheck", "--disableTelemetry"));
        Map<String, String> environment = accountName.equals(ACCOUNT_NAME)
                ? Map.of()
                : Map.of("AZURITE_ACCOUNTS", accountName + ":" + accountKey);
        daemon.start(command, environment, baseDir, port, startTimeout);
    }

    @Override
    public synchronized void stop() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(10));
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

    /** The Azurite process id while it runs. */
    public synchronized Optional<Long> pid() {
        return daemon == null ? Optional.empty() : daemon.pid();
    }

    /** The TCP port of the Blob service; chosen at first start and kept across restarts. */
    public synchronized int port() {
        requireStartedOnce();
        return port;
    }

    /**
     * The Blob service endpoint of the account: {@code http://127.0.0.1:<port>/devstoreaccount1} for
     * the development account.
     */
    public String blobEndpoint() {
        return "http://" + HOST + ":" + port() + "/" + accountName;
    }

    /** The account's name: {@value #ACCOUNT_NAME} unless {@link Builder#account} says otherwise. */
    public String accountName() {
        return accountName;
    }

    /**
     * The connection string for {@code new BlobServiceClientBuilder().connectionString(...)}. It
     * holds the public development key, or the key given to {@link Builder#account}.
     */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + accountName + ";AccountKey=" + accountKey
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    /** The temporary folder of its workspace and log; gone after {@link #close()}. */
    public synchronized Path baseDir() {
        requireStartedOnce();
        return baseDir;
    }

    @Override
    public String toString() {
        return "AzuriteServer[" + HOST + ":" + port + ", azurite " + VERSION + "]";
    }

    private void requireStartedOnce() {
        if (baseDir == null) {
            throw new IllegalStateException("the AzuriteServer has not been started yet");
        }
    }

    /**
     * Installs Azurite into {@code dir} unless it is there, and returns the azurite-blob launcher.
     * Installs into a sibling folder and renames it, under a file lock, so a half-done install is
     * never used.
     */
    @SuppressWarnings("try") // the install lock is held for the body's duration, never read
    static Path install(Path dir, Duration timeout) {
        Path executable = dir.resolve("node_modules/.bin/azurite-blob");
        if (Files.isExecutable(executable)) {
            return executable;
        }
        Path npm = Commands.onPath("npm")
                .orElseThrow(() -> new IllegalStateException("Azurite " + VERSION
                        + " is not installed in " + dir + " and npm is not on the PATH; install Node.js 18+ with npm "
                        + "(Debian/Ubuntu: `apt-get install nodejs npm`)"));
        Folders.create(dir.getParent());
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.isExecutable(executable)) {
                return executable;
            }
            Path staging = dir.resolveSibling(dir.getFileName() + ".partial");
            Folders.deleteRecursively(staging);
            Folders.create(staging);
            Commands.run(
                    "npm install azurite@" + VERSION,
                    List.of(
                            npm.toString(),
                            "install",
                            "--prefix",
                            staging.toString(),
                            "--no-audit",
                            "--no-fund",
                            "--no-save",
                            "azurite@" + VERSION),
                    staging,
                    timeout);
            Folders.deleteRecursively(dir);
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            return executable;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install Azurite " + VERSION + " into " + dir, e);
        }
    }

    /** Holder of the JVM-wide server. */
    private static final class Shared {
        static final AzuriteServer INSTANCE = startShared();

        private static AzuriteServer startShared() {
            AzuriteServer server = builder().build();
            server.start();
            return server;
        }
    }

    /**
     * Builds an {@link AzuriteServer}. Not thread-safe; each {@link #build()} returns a new stopped
     * server and leaves the builder reusable.
     */
    public static final class Builder {
        private Path installDir =
                Path.of(System.getProperty("user.home"), ".cache", "rollback-testkit", "azurite-" + VERSION);
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration installTimeout = Duration.ofMinutes(5);
        private boolean persistent;
        private String accountName = ACCOUNT_NAME;
        private String accountKey = ACCOUNT_KEY;

        private Builder() {}

        /**
         * Whether data is kept on disk in the server's temporary folder ({@code --location}), so that
         * it survives {@link AzuriteServer#stop()} and a start; deleted by {@link AzuriteServer#close()}.
         * Default: false (in memory).
         */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        /**
         * Serves this account instead of the development account (Azurite's {@code AZURITE_ACCOUNTS},
         * set in its environment, never on its command line): for tests that need a key nobody knows,
         * such as a secret canary.
         *
         * @param name 3-24 lower-case letters and digits
         * @param key the account key, Base64 (e.g. of 64 random bytes)
         */
        public Builder account(String name, String key) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
            if (!name.matches("[a-z0-9]{3,24}")) {
                throw new IllegalArgumentException(
                        "name must be 3-24 lower-case letters and digits, but was '" + name + "'");
            }
            try {
                if (Base64.getDecoder().decode(key).length == 0) {
                    throw new IllegalArgumentException("empty");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key must be Base64 (the value is not shown)");
            }
            this.accountName = name;
            this.accountKey = key;
            return this;
        }

        /** Where Azurite is (or gets) installed. Default: {@code ~/.cache/rollback-testkit/azurite-3.37.0}. */
        public Builder installDir(Path installDir) {
            this.installDir = Objects.requireNonNull(installDir, "installDir").toAbsolutePath();
            return this;
        }

        /** How long start may take once installed. Default: 60 seconds; at least one second. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = atLeastOneSecond(startTimeout, "startTimeout");
            return this;
        }

        /** How long {@code npm install} may take. Default: 5 minutes; at least one second. */
        public Builder installTimeout(Duration installTimeout) {
            this.installTimeout = atLeastOneSecond(installTimeout, "installTimeout");
            return this;
        }

        private static Duration atLeastOneSecond(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(name + " must be at least 1s, but was " + value);
            }
            return value;
        }

        /** A new stopped server. */
        public AzuriteServer build() {
            return new AzuriteServer(this);
        }
    }
}
