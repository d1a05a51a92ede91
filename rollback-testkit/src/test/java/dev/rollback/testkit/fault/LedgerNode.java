package dev.rollback.testkit.fault;

import dev.rollback.api.internal.CrashPoints;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A child-JVM node for the harness's own tests: args are ledger file, node name, run id, step id,
 * fencing token, and a mode ("effect" records one side effect around a crash point; "tick" prints
 * a line every 50 ms until killed).
 */
public final class LedgerNode {
    private LedgerNode() {}

    public static void main(String[] args) throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(Path.of(args[0]));
        String node = args[1];
        String run = args[2];
        String step = args[3];
        long token = Long.parseLong(args[4]);
        if (args[5].equals("tick")) {
            for (long i = 0; ; i++) {
                System.out.println("tick " + i);
                Thread.sleep(50);
            }
        }
        System.out.println("ready");
        ledger.record(new LedgerEntry(
                node, run, step, token, 1, LedgerEntry.Outcome.STARTED, Instant.now(), Optional.empty()));
        CrashPoints.reach("step.after-start");
        ledger.record(new LedgerEntry(
                node, run, step, token, 1, LedgerEntry.Outcome.APPLIED, Instant.now(), Optional.empty()));
        CrashPoints.reach("step.after-effect");
        System.out.println("done");
    }
}
