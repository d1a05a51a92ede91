package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integration steps name what they act on; a step on a bare DataSource only when the database is named
 * (it cannot tell by itself, and drill mode refuses a step that declares nothing).
 */
class ActsOnTest {
    /** A data source that fails the test if anything connects: naming a target must not. */
    private static final DataSource NO_CONNECTION = (DataSource) Proxy.newProxyInstance(
            ActsOnTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                throw new AssertionError("nothing may connect, but " + method.getName() + " was called");
            });

    private static ModeFlagStep.Builder flags() {
        return ModeFlagStep.builder(NO_CONNECTION)
                .table("integration_setting")
                .where("provider", "quickbooks")
                .set("auto_sync", false);
    }

    @Test
    void aDataSourceStepNamesDatabaseAndTableOnceTheDatabaseIsNamed() {
        assertThat(flags().database("db-staging:5432/advisoros").build().actsOn())
                .contains("db-staging:5432/advisoros/integration_setting");
        assertThat(flags().build().actsOn()).isEmpty();
        assertThat(SessionCapStep.builder(NO_CONNECTION)
                        .table("user_session")
                        .maxAge(Duration.ofMinutes(15))
                        .database("advisoros-staging")
                        .build()
                        .actsOn())
                .contains("advisoros-staging/user_session");
    }

    @Test
    void aBlankDatabaseNameIsRefusedAtTheSetter() {
        assertThatThrownBy(() -> flags().database(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database");
    }

    @Test
    void aConfigSwitchNamesItsStoreAndConfig(@TempDir Path dir) {
        ConfigSwitchStep step = ConfigSwitchStep.builder(FileConfigStore.of(dir))
                .config("quickbooks.json")
                .backup("quickbooks.json.bak")
                .build();

        assertThat(step.actsOn()).contains("file store " + dir + "/quickbooks.json");
    }
}
