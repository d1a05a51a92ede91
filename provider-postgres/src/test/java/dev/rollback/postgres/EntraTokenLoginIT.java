package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwordless Azure Database for PostgreSQL, for real: a real azure-identity ClientSecretCredential
 * gets Entra ID tokens from the simulator's token endpoint, and a real PostgreSQL role's password is
 * set to the token the endpoint issued, so a login succeeds only with the current token.
 */
class EntraTokenLoginIT {
    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    @TempDir
    Path tmp;

    private String role;
    private PostgresEndpoint entra;

    @BeforeEach
    void roleAndDatabase() throws SQLException {
        role = "entra_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresEndpoint admin = TestDatabases.create("entra");
        admin(
                "CREATE ROLE " + role + " LOGIN PASSWORD 'not-a-token-yet'",
                "ALTER DATABASE " + admin.database() + " OWNER TO " + role);
        entra = PostgresEndpoint.builder()
                .host(admin.host())
                .port(admin.port())
                .database(admin.database())
                .user(role)
                .entraToken(AzureSimulatorClients.clientSecretCredential(AZURE.server(), "app-" + role, "secret"))
                .build();
    }

    private static void admin(String... statements) throws SQLException {
        try (Connection c = PostgresServer.shared().connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String token() {
        return "entra-" + UUID.randomUUID();
    }

    private long tokenRequests() {
        return AZURE.server().entraId().tokenRequests().stream()
                .filter(r -> r.clientId().equals("app-" + role))
                .count();
    }

    private String currentUser() throws SQLException {
        try (Connection c = entra.connect();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void logsInWithTheIssuedTokenForThePostgresScopeAndKeepsItForTheNextConnection() throws SQLException {
        String token = token();
        AZURE.server().entraId().issues(token, Duration.ofHours(1));
        admin("ALTER ROLE " + role + " PASSWORD '" + token + "'");

        assertThat(currentUser()).isEqualTo(role);
        assertThat(currentUser()).isEqualTo(role);

        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(AZURE.server().entraId().tokenRequests())
                .last()
                .satisfies(r -> assertThat(r.scope()).contains("https://ossrdbms-aad.database.windows.net/.default"));
        assertThat(entra.toString()).contains("Entra ID token").doesNotContain(token);
        assertThat(entra.usesEntraToken()).isTrue();
    }

    @Test
    void aConnectionAfterTheTokenExpiredLogsInWithTheNextTokenAndSoDoesPgDump() throws Exception {
        String first = token();
        AZURE.server().entraId().issues(first, Duration.ZERO);
        admin("ALTER ROLE " + role + " PASSWORD '" + first + "'");
        assertThat(currentUser()).isEqualTo(role);

        // The first token has expired: Entra ID issues the next one, and the server now takes only that.
        String next = token();
        AZURE.server().entraId().issues(next, Duration.ofHours(1));
        admin("ALTER ROLE " + role + " PASSWORD '" + next + "'");
        assertThat(currentUser()).isEqualTo(role);
        assertThat(tokenRequests()).isEqualTo(2);

        Path backups = Files.createDirectories(tmp.resolve("backups"));
        EmergencyBackupStep.builder()
                .endpoint(entra)
                .backupDir(backups)
                .binDir(TestDatabases.server().binaries().binDir())
                .build()
                .execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));
        try (Stream<Path> written = Files.list(backups)) {
            assertThat(written.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".sha256"));
        }
        assertThat(tokenRequests()).as("pg_dump used the kept token").isEqualTo(2);
    }

    @Test
    void theOldTokenIsRefusedOnceTheRoleTakesTheNextOne() throws SQLException {
        String first = token();
        AZURE.server().entraId().issues(first, Duration.ofHours(1));
        admin("ALTER ROLE " + role + " PASSWORD 'rotated-" + UUID.randomUUID() + "'");

        assertThatThrownBy(this::currentUser)
                .as("a kept token the server no longer takes is refused: the test's role really checks the token")
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("28P01");
    }

    @Test
    void aCredentialThatGetsNoTokenIsACredentialProblemNamingTheScope() {
        AZURE.server().entraId().refusesEchoingTheSecret();
        try {
            PostgresEndpoint refused = entra.toBuilder()
                    .entraToken(AzureSimulatorClients.clientSecretCredential(
                            AZURE.server(), "app-refused", "echoed-" + UUID.randomUUID()))
                    .build();

            assertThatThrownBy(refused::connect).isInstanceOfSatisfying(RollbackException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
                assertThat(e.getMessage())
                        .contains("https://ossrdbms-aad.database.windows.net/.default")
                        .contains("AADSTS7000215")
                        .doesNotContain("echoed-");
            });
        } finally {
            AZURE.server().entraId().issues("unused", Duration.ofHours(1));
        }
    }

    @Test
    void aPasswordSetAfterTheTokenReplacesIt() {
        PostgresEndpoint plain =
                entra.toBuilder().password(Secret.of("plain-pw")).build();

        assertThat(plain.usesEntraToken()).isFalse();
        assertThat(plain.password().reveal()).isEqualTo("plain-pw");
        assertThat(plain.toString()).doesNotContain("Entra");
    }
}
