package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.integrations.spi.ConfigConflictException;
import dev.rollback.integrations.spi.ConfigDocument;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.net.ServerSocket;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

class JdbcConfigStoreIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Duration T = Duration.ofSeconds(5);
    private static DataSource db;
    private static JdbcConfigStore store;

    @BeforeAll
    static void table() {
        db = Databases.fresh(POSTGRES.server(), "config_store");
        store = JdbcConfigStore.builder().dataSource(db).table("app_config").build();
        store.createTable(T);
        store.createTable(T); // IF NOT EXISTS: a second call changes nothing
    }

    @Test
    void versionsGrowByOneAndTheOneBeforeIsKept() {
        ConfigDocument v1 = store.create("quickbooks-oauth", "{\"clientId\":\"${secret:qb-id}\"}", "test", T);
        ConfigDocument v2 =
                store.replace("quickbooks-oauth", v1, "{\"clientId\":\"${secret:qb-backup-id}\"}", "test", T);
        ConfigDocument v3 = store.replace("quickbooks-oauth", v2, "third", "test", T);

        assertThat(v1.version()).isEqualTo("1");
        assertThat(v2.version()).isEqualTo("2");
        assertThat(store.read("quickbooks-oauth", T)).contains(v3);
        assertThat(store.previous("quickbooks-oauth", T)).contains(v2);
        assertThat(Databases.count(db, "SELECT count(*) FROM app_config WHERE name = 'quickbooks-oauth'"))
                .isEqualTo(3);
        assertThat(Databases.query(db, "SELECT sha256 FROM app_config WHERE name = 'quickbooks-oauth' AND version = 3"))
                .isEqualTo(Digests.sha256("third"));
        assertThat(Databases.query(
                        db, "SELECT written_by FROM app_config WHERE version = 3 AND name = 'quickbooks-oauth'"))
                .isEqualTo("test");
    }

    @Test
    void aReplaceFromAStaleVersionIsAConflictAndWritesNothing() {
        ConfigDocument v1 = store.create("openai", "a", "test", T);
        store.replace("openai", v1, "b", "other writer", T);

        assertThatThrownBy(() -> store.replace("openai", v1, "c", "test", T))
                .isInstanceOf(ConfigConflictException.class)
                .hasMessageContaining("'openai' changed since it was read (read at version 1, now at version 2)");
        assertThat(store.read("openai", T).orElseThrow().content()).isEqualTo("b");
        assertThatThrownBy(() -> store.create("openai", "again", "test", T))
                .isInstanceOf(ConfigConflictException.class)
                .hasMessageContaining("already exists");
    }

    @Test
    void anEditedRowIsRefusedRatherThanUsed() {
        store.create("tampered", "original", "test", T);
        Databases.sql(db, "UPDATE app_config SET content = 'edited' WHERE name = 'tampered'");

        assertThatThrownBy(() -> store.read("tampered", T))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("version 1 of 'tampered' does not match its recorded SHA-256");
    }

    @Test
    void anUnreachableStoreIsTransientAndNamesTheStoreButNoCredential() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PGSimpleDataSource down = Databases.dataSource(POSTGRES.server(), "postgres");
        down.setPortNumbers(new int[] {closedPort});
        JdbcConfigStore unreachable = JdbcConfigStore.builder().dataSource(down).build();

        assertThatThrownBy(() -> unreachable.read("quickbooks-oauth", T))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("reading 'quickbooks-oauth' from JDBC table rollback_config failed")
                .hasMessageContaining("SQL state 08")
                .hasMessageNotContaining(POSTGRES.server().password());
    }

    @Test
    void aRefusedLoginIsACredentialProblemThatNeverShowsThePassword() {
        PGSimpleDataSource wrong = Databases.dataSource(POSTGRES.server(), "postgres");
        wrong.setPassword("wrong-password-" + System.nanoTime());
        JdbcConfigStore refused = JdbcConfigStore.builder().dataSource(wrong).build();

        assertThatThrownBy(() -> refused.read("x", T))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM))
                .hasMessageContaining("credential problem")
                .hasMessageNotContaining(wrong.getPassword());
    }

    @Test
    void tableNamesThatAreNotPlainSqlNamesAreRefused() {
        JdbcConfigStore.Builder b = JdbcConfigStore.builder();
        for (String bad : new String[] {"config; DROP TABLE users", "a.b.c", "\"quoted\"", "select", "1abc", ""}) {
            assertThatThrownBy(() -> b.table(bad)).as(bad).hasMessageContaining("table");
        }
        assertThat(b.table("app.config").dataSource(db).build().table()).isEqualTo("app.config");
        assertThatThrownBy(() -> JdbcConfigStore.builder().build()).hasMessageContaining("dataSource is required");
    }
}
