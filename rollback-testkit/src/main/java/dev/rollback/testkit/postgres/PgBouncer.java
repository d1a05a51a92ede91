package dev.rollback.testkit.postgres;

import dev.rollback.testkit.TestServer;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Commands;
import dev.rollback.testkit.internal.Folders;
import dev.rollback.testkit.internal.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A real PgBouncer in front of a {@link PostgresServer}, for tests of what a connection pooler does to
 * a client: on a free port of 127.0.0.1, every database of the server behind it, the server's
 * superuser and password (SCRAM both ways), in {@code transaction} pool mode by default with
 * {@link Builder#poolSize(int) 20 server connections} per database and user.
 *
 * <p>The binary is Debian's {@code pgbouncer}. When it is missing and the JVM runs as root, the first
 * {@link #start()} installs it ({@code apt-get install -y pgbouncer}, after an {@code apt-get update} if
 * the first try fails); otherwise it fails with a message saying to install it. As root, PgBouncer (which
 * refuses to run as root) runs as an unprivileged user ({@code nobody}) through {@code setpriv}.
 *
 * <p>The password sits only in the {@code auth_file}, mode 0600, in the temporary folder deleted by
 * {@link #close()}; never on a command line. Thread-safe: lifecycle methods are serialized.
 */
public final class PgBouncer implements TestServer {
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final PostgresServer upstream;
    private final String poolMode;
    private final String clientAuth;
    private final int poolSize;
    private final int maxClientConnections;
    private final int osUid;
    private final int osGid;
    private Path baseDir;
    private int port;
    private Process process;
    private boolean closed;

    private PgBouncer(Builder b) {
        this.upstream = b.upstream;
        this.poolMode = b.poolMode;
        this.clientAuth = b.clientAuth;
        this.poolSize = b.poolSize;
        this.maxClientConnections = b.maxClientConnections;
        this.osUid = b.osUid;
        this.osGid = b.osGid;
    }

    /** A builder for a PgBouncer in front of {@code upstream} (started on first use if it is not running). */
    public static Builder builder(PostgresServer upstream) {
        return new Builder(Objects.requireNonNull(upstream, "upstream"));
    }

    /**
     * Where the {@code pgbouncer} binary is, installing Debian's package when it is missing and this JVM
     * runs as root.
     *
     * @throws IllegalStateException naming what to do when it is missing and cannot be installed
     */
    public static Path binary() {
        Optional<Path> found = locate();
        if (found.isPresent()) {
            return found.get();
        }
        if (!Commands.runningAsRoot()) {
            throw new IllegalStateException("pgbouncer is not installed and this JVM does not run as root, so the"
                    + " test cannot install it: run 'apt-get install -y pgbouncer' as root (Debian's package), then"
                    + " run the tests again");
        }
        List<String> install = List.of(
                "env",
                "DEBIAN_FRONTEND=noninteractive",
                "apt-get",
                "install",
                "-y",
                "--no-install-recommends",
                "pgbouncer");
        try {
            Commands.run("apt-get install -y pgbouncer", install, Path.of("/"), Duration.ofMinutes(5));
        } catch (IllegalStateException first) {
            try {
                Commands.run(
                        "apt-get update",
                        List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"),
                        Path.of("/"),
                        Duration.ofMinutes(5));
                Commands.run("apt-get install -y pgbouncer", install, Path.of("/"), Duration.ofMinutes(5));
            } catch (IllegalStateException second) {
                throw new IllegalStateException(
                        "pgbouncer is not installed and installing Debian's package failed; install it with"
                                + " 'apt-get install -y pgbouncer' as root: " + second.getMessage(),
                        second);
            }
        }
        return locate().orElseThrow(() -> new IllegalStateException(
                "apt-get installed pgbouncer but no pgbouncer binary is on the PATH or in /usr/sbin"));
    }

    private static Optional<Path> locate() {
        Path debian = Path.of("/usr/sbin/pgbouncer");
        if (Files.isExecutable(debian)) {
            return Optional.of(debian);
        }
        return Commands.onPath("pgbouncer");
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this PgBouncer was closed; build a new one");
        }
        if (isRunning()) {
            return;
        }
        Path binary = binary();
        upstream.start();
        if (baseDir == null) {
            initialize();
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), config().toString()));
        if (Commands.runningAsRoot()) {
            command = Commands.asUser(osUid, osGid, command);
        }
        try {
            process = new ProcessBuilder(command)
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(baseDir.resolve("pgbouncer.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                String output = Commands.tailOf(baseDir.resolve("pgbouncer.out")) + "\n"
                        + Commands.tailOf(baseDir.resolve("pgbouncer.log"));
                stop();
                throw new IllegalStateException("PgBouncer did not accept connections on " + HOST + ":" + port
                        + " within " + START_TIMEOUT + ": " + output);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PgBouncer", e);
            }
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            Commands.stopTree(process.toHandle(), Duration.ofSeconds(5));
            process = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
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

    /** {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The port clients connect to; chosen at first start. */
    public synchronized int port() {
        if (baseDir == null) {
            throw new IllegalStateException("the PgBouncer has not been started yet");
        }
        return port;
    }

    /** The user clients log in as: the server's superuser. */
    public String user() {
        return upstream.user();
    }

    /** Its password (the server's). Never log it. */
    public String password() {
        return upstream.password();
    }

    /** The pool mode: {@code transaction}, {@code session} or {@code statement}. */
    public String poolMode() {
        return poolMode;
    }

    /** How many server connections PgBouncer opens at most per database and user. */
    public int poolSize() {
        return poolSize;
    }

    /** PgBouncer's log file. */
    public synchronized Path logFile() {
        return baseDir.resolve("pgbouncer.log");
    }

    @Override
    public String toString() {
        return "PgBouncer[" + HOST + ":" + port + ", " + poolMode + " mode, pool " + poolSize + " -> " + upstream.host()
                + ":" + upstream.port() + "]";
    }

    private Path config() {
        return baseDir.resolve("pgbouncer.ini");
    }

    private void initialize() {
        baseDir = Folders.createTemp("rollback-pgbouncer-");
        Cleanup.register(this);
        port = FreePorts.next();
        try {
            Path users = Files.createFile(
                    baseDir.resolve("userlist.txt"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(
                    users,
                    "\"" + upstream.user() + "\" \"" + upstream.password().replace("\"", "\"\"") + "\"\n",
                    StandardCharsets.UTF_8);
            String ini = String.join(
                    "\n",
                    "[databases]",
                    "* = host=" + upstream.host() + " port=" + upstream.port(),
                    "[pgbouncer]",
                    "listen_addr = " + HOST,
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = " + clientAuth,
                    "auth_file = " + users,
                    "pool_mode = " + poolMode,
                    "default_pool_size = " + poolSize,
                    "max_db_connections = " + poolSize,
                    "reserve_pool_size = 0",
                    "max_client_conn = " + maxClientConnections,
                    // the JDBC driver sends extra_float_digits at login
                    "ignore_startup_parameters = extra_float_digits",
                    "server_reset_query =",
                    "logfile = " + baseDir.resolve("pgbouncer.log"),
                    "pidfile = " + baseDir.resolve("pgbouncer.pid"),
                    "log_connections = 0",
                    "log_disconnections = 0",
                    "");
            Files.writeString(config(), ini, StandardCharsets.UTF_8);
            if (Commands.runningAsRoot()) {
                Folders.requireTraversableByOthers(baseDir);
                Folders.chownRecursively(baseDir, osUid, osGid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PgBouncer's files in " + baseDir, e);
        }
    }

    /** Builds a {@link PgBouncer}. Not thread-safe; each {@link #build()} returns a new stopped one. */
    public static final class Builder {
        private final PostgresServer upstream;
        private String poolMode = "transaction";
        private String clientAuth = "scram-sha-256";
        private int poolSize = 20;
        private int maxClientConnections = 2000;
        private int osUid = 65534;
        private int osGid = 65534;

        private Builder(PostgresServer upstream) {
            this.upstream = upstream;
        }

        /** {@code transaction} (default), {@code session} or {@code statement}. */
        public Builder poolMode(String poolMode) {
            Objects.requireNonNull(poolMode, "poolMode");
            if (!List.of("transaction", "session", "statement").contains(poolMode)) {
                throw new IllegalArgumentException(
                        "poolMode must be transaction, session or statement, but was '" + poolMode + "'");
            }
            this.poolMode = poolMode;
            return this;
        }

        /**
         * How clients authenticate to PgBouncer: {@code scram-sha-256} (default) or {@code md5}. A SCRAM login
         * costs some milliseconds of key stretching on each side; a test that logs in a thousand clients can
         * choose {@code md5}. PgBouncer's own logins to PostgreSQL stay SCRAM.
         */
        public Builder clientAuth(String clientAuth) {
            Objects.requireNonNull(clientAuth, "clientAuth");
            if (!List.of("scram-sha-256", "md5").contains(clientAuth)) {
                throw new IllegalArgumentException(
                        "clientAuth must be scram-sha-256 or md5, but was '" + clientAuth + "'");
            }
            this.clientAuth = clientAuth;
            return this;
        }

        /** Server connections per database and user, 1 to 1000. Default: 20. */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1 || poolSize > 1000) {
                throw new IllegalArgumentException("poolSize must be 1 to 1000, but was " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /** Client connections accepted at once, 1 to 10000. Default: 2000. */
        public Builder maxClientConnections(int maxClientConnections) {
            if (maxClientConnections < 1 || maxClientConnections > 10_000) {
                throw new IllegalArgumentException(
                        "maxClientConnections must be 1 to 10000, but was " + maxClientConnections);
            }
            this.maxClientConnections = maxClientConnections;
            return this;
        }

        /** The unprivileged user and group PgBouncer runs as when the JVM is root. Default: 65534/65534. */
        public Builder osUser(int uid, int gid) {
            if (uid <= 0 || gid <= 0) {
                throw new IllegalArgumentException(
                        "uid and gid must be positive (not root), but were " + uid + "/" + gid);
            }
            this.osUid = uid;
            this.osGid = gid;
            return this;
        }

        /** A new stopped PgBouncer. */
        public PgBouncer build() {
            return new PgBouncer(this);
        }
    }
}
