package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure SDK is an optional dependency of provider-postgres: an application on a self-hosted
 * PostgreSQL does not get it, and the provider must work without it. Run on a class path without the
 * SDK, Reactor and Netty, an emergency backup and its verification succeed against a real server;
 * the Azure flexible-server control plane, loaded there, fails with an error that names the artifact
 * to add.
 */
class AzureSdkIsOptionalIT {
    @TempDir
    Path tmp;

    @Test
    void aSelfHostedBackupRunsWithoutTheAzureSdkAndTheAzureRestoreNamesTheArtifactToAdd() throws Exception {
        PostgresEndpoint db = TestDatabases.create("without_azure");
        TestDatabases.sql(db, "CREATE TABLE clients(id int PRIMARY KEY)", "INSERT INTO clients VALUES (1), (2)");
        Path backups = Files.createDirectories(tmp.resolve("backups"));

        List<String> result;
        try (URLClassLoader withoutAzure = ClassPathWithoutAzure.open()) {
            assertThatThrownBy(() -> withoutAzure.loadClass("com.azure.core.http.HttpClient"))
                    .as("the Azure SDK is not on that class path")
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Function<List<String>, List<String>> run = (Function<List<String>, List<String>>) withoutAzure
                    .loadClass(SelfHostedBackupRun.class.getName())
                    .getConstructor()
                    .newInstance();
            result = run.apply(List.of(
                    TestDatabases.server().host(),
                    String.valueOf(TestDatabases.server().port()),
                    db.database(),
                    TestDatabases.server().user(),
                    TestDatabases.server().password(),
                    TestDatabases.server().binaries().binDir().toString(),
                    backups.toString()));
        }

        assertThat(result.get(0)).isEqualTo("SUCCEEDED");
        try (Stream<Path> written = Files.list(backups)) {
            assertThat(written.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith(db.database() + "-") && name.endsWith(".sha256"));
        }
        assertThat(result.get(1))
                .startsWith("dev.rollback.api.RollbackException: ")
                .contains("Azure flexible-server point-in-time restore")
                .contains("com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver")
                .contains("missing class com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager");
    }
}
