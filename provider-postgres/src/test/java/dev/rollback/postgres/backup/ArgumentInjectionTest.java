package dev.rollback.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentInjectionTest {
    private static final String PASSWORD = "canary-Pw-" + System.nanoTime();

    private static PostgresEndpoint.Builder endpoint() {
        return PostgresEndpoint.builder()
                .host("127.0.0.1")
                .port(5432)
                .database("app")
                .user("dbadmin")
                .password(Secret.of(PASSWORD));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-f/etc/passwd",
                "host=evil dbname=x",
                "postgresql://evil/x",
                "-",
                "..",
                "a..b",
                "db\nname",
                "db name",
                "a/b",
                "",
                "x;drop"
            })
    void rejectsADatabaseNameThatCouldBecomeAnOptionOrAConnectionStringAndNamesIt(String bad) {
        assertThatThrownBy(() -> endpoint().database(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("database must be")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-U", "user=evil", "postgres://x", "a\nb", "a b"})
    void rejectsSuchAUserName(String bad) {
        assertThatThrownBy(() -> endpoint().user(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("user must be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "evil host", "host=evil", "a..b", "h\nx", "x/y", "postgresql://h"})
    void rejectsSuchAHost(String bad) {
        assertThatThrownBy(() -> endpoint().host(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host must be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/dir", "/backups/../etc", "/backups/-f", "/backups/a\nb"})
    void rejectsABackupFolderThatIsRelativeEscapesOrLooksLikeAnOption(String bad) {
        assertThatThrownBy(() -> EmergencyBackupStep.builder().backupDir(Path.of(bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backupDir must");
    }

    @Test
    void theCommandLineHoldsEveryValueAsOneOptionWithItsValueAndNoPassword() {
        EmergencyBackupStep step = EmergencyBackupStep.builder()
                .endpoint(endpoint().build())
                .backupDir(Path.of("/backups"))
                .binDir(Path.of("/usr/bin"))
                .jobs(3)
                .build();
        List<String> command = step.command(Path.of("/backups/.app.partial"));
        assertThat(command)
                .containsExactly(
                        "/usr/bin/pg_dump",
                        "--host=127.0.0.1",
                        "--port=5432",
                        "--username=dbadmin",
                        "--dbname=app",
                        "--no-password",
                        "--format=d",
                        "--jobs=3",
                        "--file=/backups/.app.partial");
        assertThat(String.join(" ", command)).doesNotContain(PASSWORD);
        assertThat(step.toString()).doesNotContain(PASSWORD);
        assertThat(endpoint().build().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aBuilderNamesAMissingRequiredField() {
        assertThatThrownBy(() ->
                        EmergencyBackupStep.builder().backupDir(Path.of("/b")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("endpoint is required");
    }
}
