package dev.rollback.postgres.internal;

import java.util.Arrays;

/**
 * The provider's crash points, armed by the same system property as the core's
 * ({@code rollback.crashpoint}, comma-separated names): reaching an armed point halts the JVM at
 * once with status 137, as SIGKILL would. A no-op otherwise. The provider cannot call the core's
 * {@code CrashPoints} (core is not its dependency), so it reads the property itself; counts
 * ({@code name@n}) are not supported here.
 */
public final class CrashPoint {
    /** The system property naming armed crash points. */
    public static final String PROPERTY = "rollback.crashpoint";

    private CrashPoint() {}

    /** Halts the JVM if {@code point} is armed. */
    public static void reach(String point) {
        String armed = System.getProperty(PROPERTY);
        if (armed != null && Arrays.stream(armed.split(",")).map(String::strip).anyMatch(point::equals)) {
            System.err.println("rollback: crash point '" + point + "' reached, halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
