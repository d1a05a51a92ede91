package dev.rollback.core.drill;

/**
 * The runbook's four monthly rollback drills ("Planned Exercise Schedule"), each on its Monday of
 * the month.
 */
public enum DrillKind {
    /** First Monday: application rollback drill. */
    APPLICATION_ROLLBACK(1, "Application rollback drill"),
    /** Second Monday: database recovery drill. */
    DATABASE_RECOVERY(2, "Database recovery drill"),
    /** Third Monday: infrastructure failover drill. */
    INFRASTRUCTURE_FAILOVER(3, "Infrastructure failover drill"),
    /** Fourth Monday: full system disaster recovery. */
    FULL_DISASTER_RECOVERY(4, "Full system disaster recovery");

    private final int mondayOfMonth;
    private final String title;

    DrillKind(int mondayOfMonth, String title) {
        this.mondayOfMonth = mondayOfMonth;
        this.title = title;
    }

    /** Which Monday of the month the runbook schedules it on (1 to 4). */
    public int mondayOfMonth() {
        return mondayOfMonth;
    }

    /** The runbook's name for it. */
    public String title() {
        return title;
    }
}
