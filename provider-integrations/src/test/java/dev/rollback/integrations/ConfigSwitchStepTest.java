package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.testkit.TestStepContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConfigSwitchStep on a FileConfigStore in a temporary folder, called directly. */
class ConfigSwitchStepTest {
    @TempDir
    Path dir;

    private FileConfigStore store;
    private Path active;

    @BeforeEach
    void files() throws Exception {
        active = dir.resolve("monitoring.json");
        Files.writeString(active, "{\"endpoint\":\"https://primary.example\"}");
        Files.writeString(dir.resolve("monitoring-backup.json"), "{\"endpoint\":\"https://backup.example\"}");
        store = FileConfigStore.of(dir);
    }

    private ConfigSwitchStep.Builder toBackup() {
        return ConfigSwitchStep.builder(store)
                .id("monitoring-config")
                .component("security-monitoring")
                .config("monitoring.json")
                .backup("monitoring-backup.json");
    }

    private static TestStepContext ctx() {
        return TestStepContext.of("monitoring-config", Duration.ofSeconds(10));
    }

    @Test
    void switchesToTheBackupAndRecordsVersionsAndDigestsButNeverTheText() throws Exception {
        ConfigSwitchStep step = toBackup().build();
        TestStepContext ctx = ctx();

        step.preflight(ctx);
        step.execute(ctx);

        assertThat(Files.readString(active)).isEqualTo("{\"endpoint\":\"https://backup.example\"}");
        assertThat(ctx.evidence())
                .containsEntry(ConfigSwitchStep.NAME, "monitoring.json")
                .containsEntry(ConfigSwitchStep.SOURCE, "backup configuration 'monitoring-backup.json'")
                .containsEntry(ConfigSwitchStep.CHANGED, "true")
                .containsEntry(
                        ConfigSwitchStep.FROM_SHA256, Digests.sha256("{\"endpoint\":\"https://primary.example\"}"))
                .containsEntry(ConfigSwitchStep.TO_SHA256, Digests.sha256("{\"endpoint\":\"https://backup.example\"}"));
        assertThat(String.join(" ", ctx.evidence().values())).doesNotContain("example");
        assertThat(step.tookEffect(ctx())).contains(true);
    }

    @Test
    void aRepeatWritesNothingSoThePreviousVersionStaysTheOriginal() throws Exception {
        ConfigSwitchStep step = toBackup().build();
        step.execute(ctx());
        TestStepContext again = ctx();

        step.execute(again);

        assertThat(again.evidence()).containsEntry(ConfigSwitchStep.CHANGED, "false");
        assertThat(Files.readString(dir.resolve(".monitoring.json.previous")))
                .isEqualTo("{\"endpoint\":\"https://primary.example\"}");
    }

    @Test
    void switchBackRestoresTheVersionBeforeTheBackupAndIsIdempotentToo() throws Exception {
        ConfigSwitchStep step = toBackup().build();
        ConfigSwitchStep back = step.switchBack();
        assertThat(back.id()).isEqualTo("monitoring-config-back");
        assertThat(back.switchBack().id()).isEqualTo("monitoring-config");
        step.execute(ctx());
        assertThat(back.tookEffect(ctx())).contains(false);

        back.preflight(ctx());
        back.execute(ctx());
        TestStepContext again = ctx();
        back.execute(again);

        assertThat(Files.readString(active)).isEqualTo("{\"endpoint\":\"https://primary.example\"}");
        assertThat(again.evidence()).containsEntry(ConfigSwitchStep.CHANGED, "false");
        assertThat(back.tookEffect(ctx())).contains(true);
        assertThat(step.tookEffect(ctx())).contains(false);
    }

    @Test
    void aMissingBackupIsAClearErrorBeforeAnyChange() throws Exception {
        ConfigSwitchStep step = toBackup().backup("monitoring-bakup.json").build();
        for (Step call : new Step[] {() -> step.preflight(ctx()), () -> step.execute(ctx())}) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(
                            RollbackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("backup configuration 'monitoring-bakup.json' does not exist in file store "
                            + dir.toAbsolutePath());
        }
        assertThat(Files.readString(active)).contains("primary");
        assertThat(dir.resolve(".monitoring.json.previous")).doesNotExist();
    }

    @Test
    void aMissingConfigurationIsAClearError() {
        ConfigSwitchStep step = toBackup().config("monitoring.yaml").build();
        assertThatThrownBy(() -> step.preflight(ctx()))
                .hasMessageContaining("configuration 'monitoring.yaml' does not exist");
    }

    @Test
    void aFailingHealthGateFailsTheStepWithItsEvidenceAndLeavesTheConfigurationAsItWas() throws Exception {
        Verifier down = Verifier.of(
                "backup-health",
                c -> Verification.failed("backup-health", "GET https://backup.example/health returns 200", "HTTP 503")
                        .withDetail("status", "503"));
        ConfigSwitchStep step = toBackup().healthGate(down).build();
        TestStepContext ctx = ctx();

        assertThatThrownBy(() -> step.preflight(ctx()))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("failed its health check 'backup-health'")
                .hasMessageContaining("HTTP 503");
        assertThatThrownBy(() -> step.execute(ctx))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("'monitoring.json' was left unchanged");

        assertThat(ctx.evidence())
                .containsEntry(ConfigSwitchStep.GATE, "HTTP 503")
                .containsEntry(ConfigSwitchStep.GATE + ".status", "503")
                .doesNotContainKey(ConfigSwitchStep.TO_SHA256);
        assertThat(Files.readString(active)).contains("primary");
        assertThat(step.tookEffect(ctx())).contains(false);
    }

    @Test
    void aTargetWithoutTheRequiredTextIsRefusedBeforeAnyChange() throws Exception {
        ConfigSwitchStep step = toBackup().backupMustContain("gpt-3.5-turbo").build();
        assertThatThrownBy(() -> step.execute(ctx()))
                .hasMessageContaining("backup configuration 'monitoring-backup.json' does not contain the required"
                        + " text 'gpt-3.5-turbo'");
        assertThat(Files.readString(active)).contains("primary");
    }

    @Test
    void switchBackWithNoEarlierVersionKeptIsAClearError() throws Exception {
        Files.writeString(active, "{\"endpoint\":\"https://backup.example\"}");
        ConfigSwitchStep back = toBackup().build().switchBack();
        assertThatThrownBy(() -> back.execute(ctx()))
                .hasMessageContaining("keeps no earlier version of 'monitoring.json' to switch back to");
    }

    @Test
    void aFixedContentIsWrittenLikeABackup() throws Exception {
        ConfigSwitchStep step = ConfigSwitchStep.builder(store)
                .config("monitoring.json")
                .content("emergency-allow-list", "authorizeddomain.com\n")
                .build();
        TestStepContext ctx = ctx();
        step.execute(ctx);
        assertThat(Files.readString(active)).isEqualTo("authorizeddomain.com\n");
        assertThat(ctx.evidence()).containsEntry(ConfigSwitchStep.SOURCE, "content 'emergency-allow-list'");
        assertThat(step.tookEffect(ctx())).contains(true);
    }

    @Test
    void theBuilderRefusesBadInputNamingTheFieldAndTheValue() {
        ConfigSwitchStep.Builder b = ConfigSwitchStep.builder(store);
        assertThatThrownBy(() -> b.config("../monitoring.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config")
                .hasMessageContaining("'../monitoring.json'");
        assertThatThrownBy(() -> b.backup("a b")).hasMessageContaining("backup").hasMessageContaining("'a b'");
        assertThatThrownBy(() -> b.id("bad id")).hasMessageContaining("id");
        assertThatThrownBy(() -> b.storeTimeout(Duration.ZERO)).hasMessageContaining("storeTimeout");
        assertThatThrownBy(b::build).hasMessageContaining("config is required");
        assertThatThrownBy(() -> b.config("x").build()).hasMessageContaining("one of backup or content is required");
        assertThatThrownBy(() -> b.config("x").backup("x").build())
                .hasMessageContaining("backup must differ from config");
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
