package dev.rollback.testkit.postgres;

import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestServer;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Commands;
import dev.rollback.testkit.internal.Folders;
import dev.rollback.testkit.internal.FreePorts;
import dev.rollback.testkit.internal.Passwords;
import dev.rollback.testkit.tls.ServerCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server from this machine's binaries, in a temporary folder, on a free port of
 * 127.0.0.1, for tests.
 *
 * <p>On first {@link #start()} it runs {@code initdb} (superuser {@link #user()}, a generated
 * {@link #password()} handed over in a 0600 file and deleted right after, scram-sha-256 for every
 * connection) and starts the server with {@code pg_ctl}: TCP on 127.0.0.1 only, its unix socket in
 * the temporary folder, {@code wal_level=replica} and every finished WAL segment copied to
 * {@link #archiveDir()} so that point-in-time recovery can be tested. {@link #stop()},
 * {@link #restart()} and {@link #crash()} keep the data; {@link #close()} deletes everything.
 *
 * <p>A <b>streaming standby</b> of a running server: {@code builder().standbyOf(primary).build()}.
 * Its first {@link #start()} runs {@code pg_basebackup -R -X stream} from the primary into a new data
 * directory (same superuser and password, the primary's password in a 0600 {@code PGPASSFILE} kept in
 * the standby's folder for {@code primary_conninfo}), gives it its own free port, socket folder and
 * WAL archive, starts it in hot standby and waits until its WAL receiver is {@code streaming}
 * ({@link #awaitStreaming(Duration)}). {@link #awaitCaughtUp(Duration)} waits until it has replayed
 * what the primary had written. Promote it, stop it, crash it or close it like any other server.
 *
 * <p><b>TLS</b>: {@code builder().tls(certificate)} (a {@link ServerCertificate} from a
 * {@link dev.rollback.testkit.tls.TestCertificates} authority) turns {@code ssl = on} with that
 * certificate and key, copied into the data directory as {@code server.crt} and {@code server.key}
 * (0600, owned by the user that runs the server, as PostgreSQL requires). Clients may still connect
 * without TLS; a client with {@code sslmode=verify-full} and the authority's root accepts the
 * server only if the certificate names the host it dialled.
 *
 * <p>Root: {@code initdb} and {@code postgres} refuse to run as root. When the JVM runs as root,
 * the kit gives the temporary folder to an unprivileged user (default {@code nobody}, uid/gid
 * 65534) and runs initdb, pg_ctl and postgres as that user through {@code setpriv}. The folder's
 * parents must be searchable by others ({@code /tmp} is).
 *
 * <p>Thread-safe: lifecycle methods are serialized. It never binds another address than
 * 127.0.0.1 and never passes the password on a command line.
 */
public final class PostgresServer implements TestServer {
    private static final String HOST = "127.0.0.1";
    private static final Pattern SETTING_NAME = Pattern.compile("[a-z_][a-z0-9_.]*");

    private final PostgresBinaries binaries;
    private final String user;
    private final String password;
    private final Map<String, String> settings;
    private final Duration startTimeout;
    private final int osUid;
    private final int osGid;
    private final boolean dropPrivileges;
    private final PostgresServer primary;
    private final Optional<ServerCertificate> tls;

    private Path baseDir;
    private int port;
    private boolean closed;

    private PostgresServer(Builder b) {
        this.primary = b.primary;
        this.binaries = b.binDir == null && primary != null
                ? primary.binaries()
                : PostgresBinaries.locate(Optional.ofNullable(b.binDir));
        this.user = primary != null ? primary.user() : b.user;
        this.password = primary != null ? primary.password() : Passwords.generate(24);
        this.settings = Map.copyOf(b.settings);
        this.startTimeout = b.startTimeout;
        this.osUid = b.osUid;
        this.osGid = b.osGid;
        this.dropPrivileges = Commands.runningAsRoot();
        this.tls = Optional.ofNullable(b.tls);
    }

    /** A builder with the defaults: superuser {@code postgres}, binaries located automatically. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JVM-wide server, started on first use and closed when the JVM exits. Tests that share it
     * must not close it and should leave it running.
     */
    public static PostgresServer shared() {
        return Shared.INSTANCE;
    }

    /** A JUnit 5 extension that starts a new default server per test class. */
    public static ServerExtension<PostgresServer> extension() {
        return ServerExtension.perClass(PostgresServer.class, () -> builder().build());
    }

    /** A JUnit 5 extension that hands every test class the {@link #shared()} server. */
    public static ServerExtension<PostgresServer> sharedExtension() {
        return ServerExtension.shared(PostgresServer.class, PostgresServer::shared);
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this PostgresServer was closed; build a new one");
        }
        if (isRunning()) {
            return;
        }
        boolean first = baseDir == null;
        if (first) {
            if (primary != null) {
                initializeStandby();
            } else {
                initialize();
            }
        }
        pgCtl(
                "start PostgreSQL on " + HOST + ":" + port,
                startTimeout,
                "start",
                "-w",
                "-t",
                Long.toString(Math.max(1, startTimeout.toSeconds())),
                "-l",
                logFile().toString());
        if (first && primary != null) {
            awaitStreaming(startTimeout);
        }
    }

    /** The server this one was made a standby of ({@link Builder#standbyOf}), if it was. */
    public Optional<PostgresServer> primary() {
        return Optional.ofNullable(primary);
    }

    /**
     * Waits until this server's WAL receiver streams from its primary ({@code pg_stat_wal_receiver.status
     * = 'streaming'}). {@link #start()} does it once for a new standby; call it again after a restart.
     *
     * @throws IllegalStateException if it does not stream within {@code timeout}; the message carries
     *     the end of the server log
     */
    public void awaitStreaming(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        awaitTrue(
                "SELECT coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false)",
                timeout,
                "the standby on " + HOST + ":" + port() + " to stream from its primary");
    }

    /**
     * Waits until this standby has replayed everything its primary had written when it was called
     * ({@code pg_last_wal_replay_lsn() >= } the primary's {@code pg_current_wal_lsn()}): a write made on
     * the primary before the call is then visible here.
     *
     * @throws IllegalStateException if this is not a standby, or it does not catch up within
     *     {@code timeout}
     */
    public void awaitCaughtUp(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        PostgresServer of = primary()
                .orElseThrow(() -> new IllegalStateException(this + " is not a standby (see Builder.standbyOf)"));
        String target;
        try (Connection c = of.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            target = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the WAL position of the primary " + of + ": " + e.getMessage(), e);
        }
        awaitTrue(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn, false)",
                timeout,
                "the standby on " + HOST + ":" + port() + " to replay the primary's WAL up to " + target);
    }

    private void awaitTrue(String query, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try (Connection c = connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(query)) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
                last = "not yet";
            } catch (SQLException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what + " (" + last
                        + ")\nserver log (" + logFile() + "):\n" + Commands.tailOf(logFile()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    @Override
    public synchronized void stop() {
        shutdown("fast");
    }

    /**
     * Stops the server as a crash would: {@code pg_ctl stop -m immediate}, no checkpoint, so the next
     * {@link #start()} replays the WAL. Together they are {@code pg_ctl restart -m immediate}.
     */
    public synchronized void crash() {
        shutdown("immediate");
    }

    /** {@link #crash()} then {@link #start()}: the server recovers from its WAL. */
    public synchronized void crashAndRestart() {
        crash();
        start();
    }

    @Override
    public synchronized boolean isRunning() {
        return pid().map(Commands::isAlive).orElse(false);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            shutdown("immediate");
        } finally {
            if (baseDir != null) {
                Folders.deleteRecursively(baseDir);
            }
            Cleanup.unregister(this);
        }
    }

    /** The postmaster's process id while it runs. */
    public synchronized Optional<Long> pid() {
        if (baseDir == null) {
            return Optional.empty();
        }
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The loopback address the server listens on: {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The TCP port; chosen at first start and kept across restarts. */
    public synchronized int port() {
        requireInitialized();
        return port;
    }

    /** The superuser's name. */
    public String user() {
        return user;
    }

    /** The superuser's generated password. Never log it. */
    public String password() {
        return password;
    }

    /** The JDBC URL of the {@code postgres} database; it holds no credentials. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The JDBC URL of {@code database}; it holds no credentials. */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
    }

    /**
     * A new connection to the {@code postgres} database as the superuser.
     *
     * @throws SQLException if it fails; "No suitable driver" means org.postgresql:postgresql is not
     *     on the classpath
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** The certificate the server presents over TLS, when it was built with {@link Builder#tls}. */
    public Optional<ServerCertificate> tlsCertificate() {
        return tls;
    }

    /** The binaries this server runs, and the client tools next to them (pg_dump, pg_basebackup, pg_restore). */
    public PostgresBinaries binaries() {
        return binaries;
    }

    /** The data directory. */
    public synchronized Path dataDir() {
        requireInitialized();
        return baseDir.resolve("data");
    }

    /** The folder every finished WAL segment is copied to ({@code archive_command}). */
    public synchronized Path archiveDir() {
        requireInitialized();
        return baseDir.resolve("archive");
    }

    /** The server's log file. */
    public synchronized Path logFile() {
        requireInitialized();
        return baseDir.resolve("postgres.log");
    }

    /** The temporary folder that holds everything of this server; gone after {@link #close()}. */
    public synchronized Path baseDir() {
        requireInitialized();
        return baseDir;
    }

    @Override
    public String toString() {
        return "PostgresServer[" + HOST + ":" + port + ", user=" + user + ", bin=" + binaries.binDir()
                + (primary == null ? "" : ", standby of " + HOST + ":" + primary.port) + "]";
    }

    private void initialize() {
        Path base = Folders.createTemp("rollback-pg-");
        Cleanup.register(this);
        baseDir = base;
        port = FreePorts.next();
        Folders.create(archiveDir());
        Folders.create(base.resolve("run"));
        Path pwFile = base.resolve("pwfile");
        try {
            Files.writeString(
                    Files.createFile(
                            pwFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    password + "\n",
                    StandardCharsets.UTF_8);
            if (dropPrivileges) {
                Folders.requireTraversableByOthers(base);
                Folders.chownRecursively(base, osUid, osGid);
            }
            run(
                    "initdb",
                    Duration.ofMinutes(2),
                    List.of(
                            binaries.tool("initdb").toString(),
                            "-D",
                            dataDir().toString(),
                            "-U",
                            user,
                            "--pwfile=" + pwFile,
                            "--auth=scram-sha-256",
                            "--encoding=UTF8",
                            "--no-locale",
                            "--no-sync"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the password file in " + base, e);
        } finally {
            try {
                Files.deleteIfExists(pwFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the password file " + pwFile, e);
            }
        }
        writeConfiguration();
    }

    private void initializeStandby() {
        if (!primary.isRunning()) {
            throw new IllegalStateException("the primary " + primary + " must be running to start a standby of it");
        }
        Path base = Folders.createTemp("rollback-pg-standby-");
        Cleanup.register(this);
        baseDir = base;
        port = FreePorts.next();
        Folders.create(archiveDir());
        Folders.create(base.resolve("run"));
        Path passFile = base.resolve("primary.pgpass");
        try {
            Files.writeString(
                    Files.createFile(
                            passFile,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    HOST + ":" + primary.port() + ":*:" + pgpassEscaped(user) + ":" + pgpassEscaped(password) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the password file in " + base, e);
        }
        if (dropPrivileges) {
            Folders.requireTraversableByOthers(base);
            Folders.chownRecursively(base, osUid, osGid);
        }
        // -R writes standby.signal and a primary_conninfo naming the passfile, which stays for reconnects
        run(
                "pg_basebackup of " + primary,
                Duration.ofMinutes(2),
                List.of(
                        "env",
                        "PGPASSFILE=" + passFile,
                        binaries.tool("pg_basebackup").toString(),
                        "-h",
                        HOST,
                        "-p",
                        Integer.toString(primary.port()),
                        "-U",
                        user,
                        "-w",
                        "-D",
                        dataDir().toString(),
                        "-R",
                        "-X",
                        "stream",
                        "-c",
                        "fast",
                        "--no-sync"));
        writeConfiguration();
    }

    private static String pgpassEscaped(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }

    private void writeConfiguration() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", "'" + HOST + "'");
        conf.put("port", Integer.toString(port));
        conf.put("unix_socket_directories", "'" + baseDir.resolve("run") + "'");
        conf.put("wal_level", "replica");
        conf.put("archive_mode", "on");
        String archive = archiveDir().toString();
        conf.put("archive_command", "'test ! -f " + archive + "/%f && cp %p " + archive + "/%f'");
        conf.put("max_wal_senders", "4");
        conf.put("password_encryption", "'scram-sha-256'");
        if (tls.isPresent()) {
            installCertificate(tls.get());
            conf.put("ssl", "on");
            conf.put("ssl_cert_file", "'server.crt'");
            conf.put("ssl_key_file", "'server.key'");
        }
        conf.putAll(settings);
        StringBuilder text = new StringBuilder("\n# rollback-testkit\n");
        conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        try {
            Files.writeString(
                    dataDir().resolve("postgresql.conf"), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir().resolve("postgresql.conf"), e);
        }
    }

    /** Copies the certificate and key into the data directory, 0600 and owned by the server's user. */
    private void installCertificate(ServerCertificate certificate) {
        Path crt = dataDir().resolve("server.crt");
        Path key = dataDir().resolve("server.key");
        try {
            for (Path[] copy : List.of(
                    new Path[] {certificate.certificateFile(), crt}, new Path[] {certificate.privateKeyFile(), key})) {
                Files.copy(copy[0], copy[1], StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy[1], PosixFilePermissions.fromString("rw-------"));
                if (dropPrivileges) {
                    Folders.chownRecursively(copy[1], osUid, osGid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the TLS certificate into " + dataDir(), e);
        }
    }

    private void shutdown(String mode) {
        Optional<Long> pid = pid().filter(Commands::isAlive);
        if (pid.isEmpty()) {
            return;
        }
        pgCtl("stop PostgreSQL (-m " + mode + ")", Duration.ofMinutes(1), "stop", "-w", "-m", mode);
        Commands.awaitGone(pid.get(), Duration.ofSeconds(30), "the PostgreSQL postmaster");
    }

    private void pgCtl(String what, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(
                List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString()));
        command.addAll(List.of(args));
        run(what, timeout, command);
    }

    private void run(String what, Duration timeout, List<String> command) {
        List<String> effective = dropPrivileges ? Commands.asUser(osUid, osGid, command) : command;
        try {
            Commands.run(what, effective, baseDir, timeout);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    e.getMessage() + "\nserver log (" + logFile() + "):\n" + Commands.tailOf(logFile()), e);
        }
    }

    private void requireInitialized() {
        if (baseDir == null) {
            throw new IllegalStateException("the PostgresServer has not been started yet");
        }
    }

    /** Holder of the JVM-wide server (lazy, thread-safe by class initialization). */
    private static final class Shared {
        static final PostgresServer INSTANCE = startShared();

        private static PostgresServer startShared() {
            PostgresServer server = builder().build();
            server.start();
            return server;
        }
    }

    /**
     * Builds a {@link PostgresServer}. Not thread-safe; each {@link #build()} returns a new stopped
     * server and leaves the builder reusable.
     */
    public static final class Builder {
        private Path binDir;
        private String user = "postgres";
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int osUid = 65534;
        private int osGid = 65534;
        private PostgresServer primary;
        private ServerCertificate tls;

        private Builder() {}

        /**
         * Serves TLS ({@code ssl = on}) with {@code certificate}, issued by a
         * {@link dev.rollback.testkit.tls.TestCertificates} authority for the host names the test
         * wants the client to accept or refuse. Default: no TLS.
         */
        public Builder tls(ServerCertificate certificate) {
            this.tls = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /**
         * Makes the server a streaming standby of {@code primary}, which must be running when the
         * standby first starts: {@code pg_basebackup -R -X stream} instead of {@code initdb}, the
         * primary's superuser and password, its binaries unless {@link #binDir} says otherwise. The
         * {@link #user} set here is ignored. {@link PostgresServer#start()} returns once the standby
         * streams.
         */
        public Builder standbyOf(PostgresServer primary) {
            this.primary = Objects.requireNonNull(primary, "primary");
            return this;
        }

        /** The folder of initdb, pg_ctl and postgres. Default: located, see {@link PostgresBinaries}. */
        public Builder binDir(Path binDir) {
            this.binDir = Objects.requireNonNull(binDir, "binDir");
            return this;
        }

        /** The superuser's name. Default: {@code postgres}. Letters, digits and '_' only. */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            if (!user.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("user must be letters, digits and '_', but was '" + user + "'");
            }
            this.user = user;
            return this;
        }

        /**
         * One more {@code postgresql.conf} setting, written as {@code name = value} (quote string
         * values yourself: {@code setting("log_statement", "'all'")}). Overrides the kit's own.
         */
        public Builder setting(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!SETTING_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "setting name must be a PostgreSQL parameter name, but was '" + name + "'");
            }
            if (value.contains("\n")) {
                throw new IllegalArgumentException("setting " + name + " must be one line");
            }
            settings.put(name, value);
            return this;
        }

        /** How long start may take. Default: 60 seconds; at least one second. */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("startTimeout must be at least 1s, but was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * The unprivileged OS user and group that run the server when the JVM runs as root.
         * Default: 65534/65534 ({@code nobody}/{@code nogroup}). Ignored when not root.
         */
        public Builder osUser(int uid, int gid) {
            if (uid <= 0 || gid <= 0) {
                throw new IllegalArgumentException(
                        "uid and gid must be positive (not root), but were " + uid + "/" + gid);
            }
            this.osUid = uid;
            this.osGid = gid;
            return this;
        }

        /**
         * A new stopped server.
         *
         * @throws IllegalStateException if the PostgreSQL binaries cannot be found
         */
        public PostgresServer build() {
            return new PostgresServer(this);
        }
    }
}
