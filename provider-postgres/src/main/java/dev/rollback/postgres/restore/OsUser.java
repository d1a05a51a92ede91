package dev.rollback.postgres.restore;

/**
 * The unprivileged operating-system user and group a restored PostgreSQL cluster runs as when this
 * JVM runs as root (PostgreSQL refuses to run as root). The programs are started through
 * {@code setpriv --reuid --regid --clear-groups} and the new data folder is given to this user.
 * Immutable.
 *
 * @param uid the numeric user id, positive (not root)
 * @param gid the numeric group id, positive
 */
public record OsUser(int uid, int gid) {
    /** Validates. */
    public OsUser {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("uid and gid must be positive (not root), but were " + uid + "/" + gid);
        }
    }

    /** {@code nobody}/{@code nogroup} (65534/65534), the user the testkit's servers run as. */
    public static OsUser nobody() {
        return new OsUser(65534, 65534);
    }
}
