package dev.rollback.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Secret;
import dev.rollback.api.internal.ChildEnvironment;
import dev.rollback.postgres.PostgresEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL tools start from an allow-listed environment, and stale password folders are swept. */
class PgToolChildEnvironmentTest {

    @Test
    void aToolSeesOnlyAllowListedVariablesAndTheOnesItIsGiven() {
        PgTool.Result r = PgTool.run(
                "env",
                List.of("/usr/bin/env"),
                Optional.empty(),
                Map.of("PGSSLMODE", "verify-full"),
                Duration.ofSeconds(30));
        assertThat(r.succeeded()).isTrue();
        Set<String> names = new HashSet<>();
        r.stdout().lines().filter(l -> l.contains("=")).forEach(l -> names.add(l.substring(0, l.indexOf('='))));
        Set<String> allowed = new HashSet<>(ChildEnvironment.ALLOWED);
        allowed.add("PGSSLMODE");
        assertThat(allowed).containsAll(names);
        assertThat(names).contains("PGSSLMODE");
        // the runner's own variables (the build's JAVA_HOME, MAVEN_*, ...) do not reach the child
        Set<String> runnerOnly = new HashSet<>(System.getenv().keySet());
        runnerOnly.removeAll(ChildEnvironment.ALLOWED);
        assertThat(runnerOnly).isNotEmpty().doesNotContainAnyElementsOf(names);
    }

    @Test
    void aToolConnectingToAnEndpointGetsItsTlsSettingsInItsEnvironment(@TempDir Path work) throws Exception {
        PostgresEndpoint.Builder db = PostgresEndpoint.builder()
                .host("db.example.com")
                .database("app")
                .user("app")
                .password(Secret.of("pw"));
        Path root = Path.of("/etc/rollback/root.crt");

        assertThat(PgTool.tlsEnvironment(db.sslRootCertificate(root).build(), work))
                .containsExactly(Map.entry("PGSSLMODE", "verify-full"), Map.entry("PGSSLROOTCERT", root.toString()));
    }

    @Test
    void withoutARootCertificateAToolTrustsTheJvmsRootsFromAFileInItsWorkFolder(@TempDir Path work) throws Exception {
        PostgresEndpoint db = PostgresEndpoint.builder()
                .host("db.example.com")
                .database("app")
                .user("app")
                .password(Secret.of("pw"))
                .build();

        Map<String, String> env = PgTool.tlsEnvironment(db, work);

        assertThat(env).containsEntry("PGSSLMODE", "verify-full");
        Path bundle = Path.of(env.get("PGSSLROOTCERT"));
        assertThat(bundle.getParent()).isEqualTo(work);
        assertThat(Files.readString(bundle)).startsWith("-----BEGIN CERTIFICATE-----");
        Collection<? extends Certificate> roots;
        try (var in = Files.newInputStream(bundle)) {
            roots = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        assertThat(roots).isNotEmpty();
    }

    @Test
    void aLoopbackEndpointKeepsPreferAndNamesNoRootCertificate(@TempDir Path work) throws Exception {
        PostgresEndpoint local = PostgresEndpoint.builder()
                .host("127.0.0.1")
                .database("app")
                .user("app")
                .password(Secret.of("pw"))
                .build();

        assertThat(PgTool.tlsEnvironment(local, work)).containsExactly(Map.entry("PGSSLMODE", "prefer"));
    }

    @Test
    void workFoldersOfADeadRunnerAreSweptAndALiveRunnersAreKept(@TempDir Path temp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process alive = new ProcessBuilder("sleep", "60").start();
        try {
            Path stale = Files.createDirectory(temp.resolve(PgTool.WORK_PREFIX + gone.pid() + "-123"));
            Files.writeString(stale.resolve("pgpass"), "db:5432:*:app:secret\n");
            Path live = Files.createDirectory(temp.resolve(PgTool.WORK_PREFIX + alive.pid() + "-456"));
            Path other = Files.createDirectory(temp.resolve("someone-elses-folder"));

            PgTool.sweepStaleWorkDirectories(temp);

            assertThat(stale).doesNotExist();
            assertThat(live).isDirectory();
            assertThat(other).isDirectory();
        } finally {
            alive.destroyForcibly();
        }
    }
}
