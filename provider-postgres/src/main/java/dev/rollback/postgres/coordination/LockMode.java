package dev.rollback.postgres.coordination;

/**
 * How a {@link PostgresRunLock} holds a key. Pick by what sits between the nodes and PostgreSQL:
 *
 * <ul>
 *   <li>{@link #SESSION}: a session-level advisory lock on a dedicated connection. For nodes that
 *       reach PostgreSQL <b>directly</b> (or through a plain TCP proxy): PostgreSQL itself releases
 *       the key when the session ends. It refuses, at acquisition, a connection that goes through a
 *       pooler (a session lock cannot live on a pooled connection) or reaches a read-only standby.
 *   <li>{@link #LEASE}: a row per key whose expiry is renewed on the database's clock ({@code now()}),
 *       its fencing token from a sequence, every statement its own transaction. It needs no session,
 *       so it works through a <b>transaction-mode pooler</b> (PgBouncer) as well as directly; a key whose
 *       holder stops renewing comes free when its row expires.
 * </ul>
 *
 * <p>Every node that shares a schema must use the same mode: a session lock and a lease row do not
 * exclude each other. Both draw their fencing tokens from one sequence, so moving a fleet from one
 * mode to the other (all nodes at once) keeps tokens growing.
 */
public enum LockMode {
    /** A session advisory lock on a dedicated, direct connection; refuses a pooler or a standby. */
    SESSION,
    /** A lease row renewed on the database's clock; works through a transaction-mode pooler. */
    LEASE
}
