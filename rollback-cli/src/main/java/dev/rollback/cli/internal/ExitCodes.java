package dev.rollback.cli.internal;

/** The command line's exit codes (see {@link dev.rollback.cli.RollbackCli}). */
public final class ExitCodes {
    /** Done, nothing wrong. */
    public static final int OK = 0;
    /** Done, and something is wrong: a broken journal chain, a resumed run that did not succeed. */
    public static final int FOUND = 1;
    /** Bad arguments. */
    public static final int USAGE = 2;
    /** The command could not do its work. */
    public static final int ERROR = 3;

    private ExitCodes() {}
}
