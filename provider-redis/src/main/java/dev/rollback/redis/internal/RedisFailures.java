package dev.rollback.redis.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Turns a Jedis failure into a Rollback one: connection problems, LOADING, BUSY and TRYAGAIN are
 * transient; a refused password is a credential problem; the rest is an external failure.
 * Messages are redacted and name the endpoint, never its password.
 */
public final class RedisFailures {
    private RedisFailures() {}

    /**
     * Whether {@code failure} may pass if tried again. A refused TLS certificate (the wrong host, an
     * untrusted root) does not: trying again meets the same certificate.
     */
    public static boolean isTransient(Throwable failure) {
        if (isRefusedCertificate(failure)) {
            return false;
        }
        if (failure instanceof TransientFailureException
                || failure instanceof JedisConnectionException
                || failure instanceof JedisBusyException) {
            return true;
        }
        if (failure instanceof JedisDataException && !(failure instanceof JedisAccessControlException)) {
            String m = String.valueOf(failure.getMessage()).toUpperCase(Locale.ROOT);
            return m.startsWith("LOADING")
                    || m.startsWith("TRYAGAIN")
                    || m.startsWith("BUSY")
                    || m.startsWith("MASTERDOWN");
        }
        return false;
    }

    /** Whether {@code failure} is (or was caused by) a TLS handshake that refused the server's certificate. */
    public static boolean isRefusedCertificate(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether {@code failure} says the credentials were refused. */
    public static boolean isCredentialProblem(Throwable failure) {
        if (failure instanceof JedisAccessControlException) {
            return true;
        }
        if (failure instanceof JedisDataException) {
            String m = String.valueOf(failure.getMessage()).toUpperCase(Locale.ROOT);
            return m.startsWith("NOAUTH") || m.startsWith("WRONGPASS") || m.contains("INVALID PASSWORD");
        }
        return false;
    }

    /** A Rollback exception for {@code what} having failed on {@code endpoint}. */
    public static RollbackException translate(String what, String endpoint, RuntimeException failure) {
        if (failure instanceof RollbackException r) {
            return r;
        }
        if (isCredentialProblem(failure)) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " on " + endpoint + " failed: credential problem (the server refused the password or user)");
        }
        if (isRefusedCertificate(failure)) {
            return new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    what + " on " + endpoint + " failed: TLS refused the server's certificate (not trusted, or not"
                            + " for this host): " + Redaction.describe(rootCause(failure)),
                    failure);
        }
        String message = what + " on " + endpoint + " failed: " + Redaction.describe(failure);
        if (isTransient(failure)) {
            return new TransientFailureException(message, failure);
        }
        if (failure instanceof JedisException) {
            return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, failure);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, failure);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The first line value of {@code field} in an INFO answer, or "" if absent. */
    public static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "";
    }
}
