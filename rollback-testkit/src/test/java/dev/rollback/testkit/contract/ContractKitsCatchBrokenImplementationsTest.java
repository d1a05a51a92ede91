package dev.rollback.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The kits can fail: each runs here against an implementation that breaks its rules the way a
 * careless one would, and the tests for exactly those rules fail, while the rules it keeps pass.
 */
class ContractKitsCatchBrokenImplementationsTest {
    /** Set only while this test runs a broken kit, so that no build runs those kits on their own. */
    private static final String SELF_TEST = "rollback.contract.self-test";

    /** A journal that stores whatever it is given, at once, in arrival order: no order, no duplicate or fencing check. */
    static final class CarelessJournal implements Journal {
        private final Map<String, List<JournalRecord>> runs;

        CarelessJournal(Map<String, List<JournalRecord>> runs) {
            this.runs = runs;
        }

        @Override
        public synchronized void append(JournalRecord record) {
            runs.computeIfAbsent(record.runId(), k -> new ArrayList<>()).add(record);
        }

        @Override
        public synchronized List<JournalRecord> records(String runId) {
            return List.copyOf(runs.getOrDefault(runId, List.of()));
        }

        @Override
        public synchronized List<String> unfinishedRuns() {
            return runs.entrySet().stream()
                    .filter(e -> e.getValue().stream().anyMatch(r -> r.type() == JournalRecord.Type.RUN_STARTED))
                    .filter(e -> e.getValue().stream().noneMatch(r -> r.type() == JournalRecord.Type.RUN_FINISHED))
                    .map(Map.Entry::getKey)
                    .toList();
        }
    }

    @EnabledIfSystemProperty(named = SELF_TEST, matches = "true")
    static class CarelessJournalKit extends JournalContract {
        private final Map<String, List<JournalRecord>> store = new ConcurrentHashMap<>();

        @Override
        protected Journal createJournal() {
            return new CarelessJournal(store);
        }

        @Override
        protected Duration sequenceGapTimeout() {
            return Duration.ofMillis(400);
        }
    }

    /** A lock that hands out a lease to everyone, always with token 1. */
    static final class CarelessLock implements RunLock {
        @Override
        public Optional<RunLease> tryAcquire(String key, Duration wait) {
            return Optional.of(new RunLease() {
                private volatile boolean closed;

                @Override
                public String key() {
                    return key;
                }

                @Override
                public long fencingToken() {
                    return 1;
                }

                @Override
                public boolean isHeld() {
                    return !closed;
                }

                @Override
                public void close() {
                    closed = true;
                }
            });
        }
    }

    @EnabledIfSystemProperty(named = SELF_TEST, matches = "true")
    static class CarelessLockKit extends RunLockContract {
        @Override
        protected RunLock createLock() {
            return new CarelessLock();
        }
    }

    /** A notifier whose name carries its endpoint's token, and that reports a refusal as permanent. */
    static final class CarelessNotifier implements Notifier {
        @Override
        public String name() {
            return "webhook:https://hooks.example.com/?token=T0K3N";
        }

        @Override
        public void send(Notification notification) {
            throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, "refused");
        }
    }

    @EnabledIfSystemProperty(named = SELF_TEST, matches = "true")
    static class CarelessNotifierKit extends NotifierContract {
        @Override
        protected Notifier createNotifier() {
            return new CarelessNotifier();
        }

        @Override
        protected Set<String> secrets() {
            return Set.of("T0K3N");
        }
    }

    /** The names of the kit's tests that ended with {@code status}, the broken kits enabled for this run only. */
    private static Set<String> ended(Class<?> kit, boolean failed) {
        String before = System.setProperty(SELF_TEST, "true");
        try {
            Events tests = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(kit))
                    .execute()
                    .testEvents();
            return (failed ? tests.failed() : tests.succeeded())
                    .stream()
                            .map(ContractKitsCatchBrokenImplementationsTest::method)
                            .collect(Collectors.toSet());
        } finally {
            if (before == null) {
                System.clearProperty(SELF_TEST);
            } else {
                System.setProperty(SELF_TEST, before);
            }
        }
    }

    private static Set<String> failed(Class<?> kit) {
        return ended(kit, true);
    }

    private static Set<String> succeeded(Class<?> kit) {
        return ended(kit, false);
    }

    private static String method(Event event) {
        return event.getTestDescriptor()
                .getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(event.getTestDescriptor().getDisplayName());
    }

    @Test
    void theJournalKitFailsAJournalThatChecksNothing() {
        assertThat(failed(CarelessJournalKit.class))
                .contains(
                        "aRecordThatArrivesBeforeItsPredecessorWaitsForItAndBothAreKept",
                        "aRecordWhosePredecessorNeverComesIsRefusedStoresNothingAndMayComeAgainLater",
                        "anIdenticalRetryOfTheLastRecordIsAcceptedWithoutBeingStoredTwice",
                        "anIdenticalRetryOfAnEarlierRecordIsAcceptedAfterLaterOnes",
                        "anIdenticalRetryThroughANewInstanceAfterTheFirstWasClosedIsAcceptedOnce",
                        "identicalAppendsFromTwoThreadsAtOnceStoreTheRecordOnceAndBothReturn",
                        "aDifferentRecordAtAUsedSequenceIsRefusedNamingTheRunAndTheStoredOneStays",
                        "aRecordEqualButWithItsDataInAnotherOrderIsNotAnIdenticalRetry",
                        "aRecordWithAFencingTokenLowerThanOneStoredIsRefusedAsAStaleHolder")
                .doesNotContain(
                        "readsBackEveryRecordInSequenceOrderExactlyAsAppendedAlsoThroughANewInstance",
                        "unfinishedRunsAreTheStartedRunsWithoutAnEndEachOnce");
        assertThat(succeeded(CarelessJournalKit.class))
                .contains("readsBackEveryRecordInSequenceOrderExactlyAsAppendedAlsoThroughANewInstance");
    }

    @Test
    void theRunLockKitFailsALockThatExcludesNobody() {
        assertThat(failed(CarelessLockKit.class))
                .contains(
                        "aHeldKeyIsRefusedToASecondLockOnTheSameStoreUntilItIsReleased",
                        "aLockIsNotReentrantEvenInTheHoldersThread",
                        "tokensOnlyGrowAcrossReleasesAndInstances",
                        "aWaitingAcquireGetsTheKeyOnceItIsReleasedWithAHigherToken",
                        "anInterruptedWaitThrowsAndHoldsNothing",
                        "threadsOnSeveralLocksNeverHoldAKeyTogetherAndTokensFollowTheOrderOfHolding",
                        "aNegativeWaitAndNullsAreRefused")
                .doesNotContain("aFreeKeyIsTakenAtOnceWithAPositiveTokenAndHeld", "keysAreIndependent");
    }

    @Test
    void theNotifierKitFailsANotifierThatLeaksItsTokenInItsName() {
        assertThat(failed(CarelessNotifierKit.class)).contains("hasAShortStableNameOnOneLine");
    }
}
