package dev.rollback.api.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment a child process (pg_dump, pg_restore, pg_ctl, a restored postgres, a service
 * restart command) starts from: only the variables a program needs to run and to find its
 * libraries, time zone and messages ({@link #ALLOWED}), never the runner's whole environment,
 * which may hold cloud credentials, tokens and connection strings. Internal: not API. Stateless and
 * thread-safe.
 */
public final class ChildEnvironment {
    /** The variables passed on from the runner, when set. */
    public static final List<String> ALLOWED = List.of(
            "PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "LC_COLLATE",
            "LC_NUMERIC",
            "LC_TIME",
            "TZ",
            "TMPDIR",
            "LD_LIBRARY_PATH",
            "DYLD_LIBRARY_PATH",
            "SYSTEMROOT",
            "WINDIR",
            "TEMP",
            "TMP");

    private ChildEnvironment() {}

    /** The allow-listed variables of {@code runner} (the runner's environment), in {@link #ALLOWED} order. */
    public static Map<String, String> allowListed(Map<String, String> runner) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : ALLOWED) {
            String value = runner.get(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    /**
     * Replaces {@code environment} (a {@link ProcessBuilder#environment()}, which starts as the
     * runner's) by its allow-listed variables.
     */
    public static void restrict(Map<String, String> environment) {
        Map<String, String> kept = allowListed(environment);
        environment.clear();
        environment.putAll(kept);
    }
}
