package dev.rollback.testkit.fault;

import static dev.rollback.testkit.fault.LedgerEntry.Outcome.APPLIED;
import static dev.rollback.testkit.fault.LedgerEntry.Outcome.REFUSED;
import static dev.rollback.testkit.fault.LedgerEntry.Outcome.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InvariantCheckerTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    private static LedgerEntry entry(String node, String step, long token, LedgerEntry.Outcome outcome, int second) {
        return new LedgerEntry(node, "run-1", step, token, 1, outcome, T.plusSeconds(second), Optional.empty());
    }

    @Test
    void passesALedgerWhereEveryStepTookEffectOnceUnderGrowingTokens() {
        InvariantChecker.of(List.of(
                        entry("a", "backup", 1, APPLIED, 0),
                        entry("b", "swap", 2, APPLIED, 1),
                        entry("a", "swap", 1, REFUSED, 2)))
                .assertHolds();
    }

    @Test
    void reportsADoubleExecutionUnlessTheStepIsIdempotent() {
        List<LedgerEntry> ledger = List.of(entry("a", "flush", 1, APPLIED, 0), entry("b", "flush", 2, APPLIED, 1));
        assertThat(InvariantChecker.of(ledger).violations())
                .singleElement()
                .asString()
                .isEqualTo(
                        "double execution: step 'flush' of run run-1 took effect again on b (attempt 1) after a (attempt 1)");
        InvariantChecker.of(ledger).idempotent("flush").assertHolds();
    }

    @Test
    void reportsAWriteAcceptedWithAnOlderFencingToken() {
        assertThatThrownBy(() -> InvariantChecker.of(
                                List.of(entry("b", "x", 5, APPLIED, 0), entry("a", "y", 4, APPLIED, 1)))
                        .assertHolds())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("fencing: a applied step 'y' with token 4 after b applied one with token 5");
    }

    @Test
    void reportsAnAttemptStartedAfterItsDeadline() {
        LedgerEntry late =
                new LedgerEntry("a", "run-1", "swap", 1, 2, STARTED, T.plusSeconds(11), Optional.of(T.plusSeconds(10)));
        assertThat(InvariantChecker.of(List.of(late)).violations())
                .singleElement()
                .asString()
                .startsWith("deadline: attempt 2 of step 'swap'");
    }

    @Test
    void refusesLedgerFieldsThatWouldBreakALine() {
        assertThatThrownBy(() -> entry("a\tb", "x", 1, APPLIED, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node");
    }
}
