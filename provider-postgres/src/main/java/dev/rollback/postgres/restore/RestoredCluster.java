package dev.rollback.postgres.restore;

import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.PgTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A PostgreSQL cluster started by a {@link SelfHostedPointInTimeRestoreStep}: where it listens,
 * where its data is, and how to stop it. Immutable and thread-safe; {@link #stop()} is idempotent.
 * It never deletes the data folder.
 */
public final class RestoredCluster {
    private final String host;
    private final int port;
    private final Path dataDir;
    private final Path binDir;
    private final Optional<OsUser> runAs;

    RestoredCluster(String host, int port, Path dataDir, Path binDir, Optional<OsUser> runAs) {
        this.host = host;
        this.port = port;
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.runAs = runAs;
    }

    /** The address it listens on. */
    public String host() {
        return host;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Its data folder. */
    public Path dataDir() {
        return dataDir;
    }

    /** An endpoint to {@code database} on this cluster, logging in as {@code login}'s user and password. */
    public PostgresEndpoint endpoint(PostgresEndpoint login, String database) {
        Objects.requireNonNull(login, "login");
        return login.toBuilder().host(host).port(port).database(database).build();
    }

    /** Stops it ({@code pg_ctl stop -m fast}); does nothing if it is not running. */
    public void stop() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        PgTool.Result r = PgTool.run(
                "pg_ctl stop of the restored cluster " + dataDir,
                command(
                        runAs,
                        List.of(
                                binDir.resolve("pg_ctl").toString(),
                                "stop",
                                "-D",
                                dataDir.toString(),
                                "-m",
                                "fast",
                                "-w")),
                Optional.empty(),
                Map.of(),
                Duration.ofMinutes(1));
        if (!r.succeeded() && Files.exists(pidFile)) {
            throw new IllegalStateException(
                    "cannot stop the restored cluster " + dataDir + ": " + r.stdout() + " " + r.stderr());
        }
    }

    /** {@code command}, run as {@code runAs} through setpriv when present. */
    static List<String> command(Optional<OsUser> runAs, List<String> command) {
        if (runAs.isEmpty()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(
                "setpriv",
                "--reuid=" + runAs.get().uid(),
                "--regid=" + runAs.get().gid(),
                "--clear-groups",
                "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    @Override
    public String toString() {
        return "RestoredCluster[" + host + ":" + port + ", " + dataDir + "]";
    }
}
