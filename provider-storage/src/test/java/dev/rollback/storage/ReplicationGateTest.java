package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.storage.internal.Accounts.AccountState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The RPO gate's rules, on account states as Azure reports them. */
class ReplicationGateTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration RPO = Duration.ofMinutes(5);

    private static AccountState account(String status, Optional<Instant> lastSync, boolean canFailover) {
        return new AccountState(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
                "st1",
                "westeurope",
                Optional.of("northeurope"),
                "Standard_RAGRS",
                false,
                Optional.empty(),
                Optional.of(status),
                lastSync,
                canFailover,
                true,
                Map.of("blob", "https://st1.blob.core.windows.net/"));
    }

    @Test
    void aLagWithinTheRpoIsAllowedAndMeasured() {
        Replication.Verdict v = Replication.evaluate(
                account("Live", Optional.of(NOW.minusSeconds(90)), true), NOW, RPO, FailoverType.CUSTOMER_MANAGED);
        assertThat(v.allowed()).isTrue();
        assertThat(v.lag()).contains(Duration.ofSeconds(90));
    }

    @Test
    void aLagOfExactlyTheRpoIsAllowedAndOneSecondMoreIsRefused() {
        assertThat(Replication.evaluate(
                                account("Live", Optional.of(NOW.minus(RPO)), true),
                                NOW,
                                RPO,
                                FailoverType.CUSTOMER_MANAGED)
                        .allowed())
                .isTrue();
        Replication.Verdict late = Replication.evaluate(
                account("Live", Optional.of(NOW.minus(RPO).minusSeconds(1)), true),
                NOW,
                RPO,
                FailoverType.CUSTOMER_MANAGED);
        assertThat(late.allowed()).isFalse();
        assertThat(late.refusals())
                .singleElement()
                .asString()
                .contains("would lose the writes of the last PT5M1S")
                .contains("more than the RPO of PT5M");
    }

    @Test
    void anAccountThatNeverSyncedIsRefused() {
        Replication.Verdict bootstrap = Replication.evaluate(
                account("Bootstrap", Optional.empty(), false), NOW, RPO, FailoverType.CUSTOMER_MANAGED);
        assertThat(bootstrap.allowed()).isFalse();
        assertThat(bootstrap.lag()).isEmpty();
        assertThat(String.join("; ", bootstrap.refusals()))
                .contains("has never synced")
                .contains("canFailover false");
    }

    @Test
    void azureSayingNoIsRefusedEvenWithAFreshSync() {
        Replication.Verdict v = Replication.evaluate(
                account("Unavailable", Optional.of(NOW.minusSeconds(10)), false),
                NOW,
                RPO,
                FailoverType.CUSTOMER_MANAGED);
        assertThat(v.refusals()).singleElement().asString().contains("not possible now (canFailover false");
    }

    @Test
    void aLocallyRedundantAccountHasNothingToFailOverTo() {
        AccountState lrs = new AccountState(
                "id",
                "st1",
                "northeurope",
                Optional.empty(),
                "Standard_LRS",
                false,
                Optional.of(NOW),
                Optional.empty(),
                Optional.empty(),
                false,
                false,
                Map.of());
        Replication.Verdict v = Replication.evaluate(lrs, NOW, RPO, FailoverType.CUSTOMER_MANAGED);
        assertThat(v.refusals()).singleElement().asString().contains("is not geo-replicated (SKU Standard_LRS");
        assertThat(Replication.evidence(lrs, v, RPO))
                .containsEntry(Replication.STATUS, "none")
                .containsEntry(Replication.LAST_SYNC_TIME, "never")
                .containsEntry(Replication.LAG, "unknown")
                .containsEntry(Replication.SECONDARY, "none");
    }

    @Test
    void aPlannedFailoverIgnoresTheLagButNeedsAzuresConsent() {
        AccountState lagging = account("Live", Optional.of(NOW.minus(Duration.ofHours(1))), true);
        assertThat(Replication.evaluate(lagging, NOW, RPO, FailoverType.PLANNED).allowed())
                .isTrue();
        AccountState refusing = new AccountState(
                "id",
                "st1",
                "westeurope",
                Optional.of("northeurope"),
                "Standard_RAGRS",
                false,
                Optional.empty(),
                Optional.of("Live"),
                Optional.of(NOW),
                true,
                false,
                Map.of());
        assertThat(Replication.evaluate(refusing, NOW, RPO, FailoverType.PLANNED)
                        .refusals())
                .singleElement()
                .asString()
                .contains("planned failover")
                .contains("canPlannedFailover false");
    }

    @Test
    void aLastSyncTimeAheadOfTheClockCountsAsNoLag() {
        Replication.Verdict v = Replication.evaluate(
                account("Live", Optional.of(NOW.plusSeconds(3)), true), NOW, RPO, FailoverType.CUSTOMER_MANAGED);
        assertThat(v.lag()).contains(Duration.ZERO);
    }

    @Test
    void theEvidenceNamesEveryFigureTheGateUsed() {
        AccountState s = account("Live", Optional.of(NOW.minusSeconds(400)), true);
        Map<String, String> e =
                Replication.evidence(s, Replication.evaluate(s, NOW, RPO, FailoverType.CUSTOMER_MANAGED), RPO);
        assertThat(e)
                .containsEntry(Replication.STATUS, "Live")
                .containsEntry(Replication.LAST_SYNC_TIME, "2026-03-01T11:53:20Z")
                .containsEntry(Replication.LAG, "PT6M40S")
                .containsEntry(Replication.MAX_DATA_LOSS, "PT5M")
                .containsEntry(Replication.CAN_FAILOVER, "true")
                .containsEntry(Replication.PRIMARY, "westeurope")
                .containsEntry(Replication.SECONDARY, "northeurope")
                .containsEntry(Replication.IN_PROGRESS, "false");
        assertThat(e.get(Replication.REFUSALS)).contains("PT6M40S");
    }
}
