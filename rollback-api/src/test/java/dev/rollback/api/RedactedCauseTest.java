package dev.rollback.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactedCauseTest {

    /** An SDK's exception: not Rollback's, not the JDK's. */
    static final class SdkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SdkException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void anSdkExceptionInTheCauseChainIsReplacedByARedactedStandIn() {
        String canary = "canary-sdk-" + System.nanoTime();
        Secret secret = Secret.of(canary);
        SdkException raw = new SdkException(
                "HTTP 401 {\"error\":\"invalid_client\",\"detail\":\"secret " + canary + " rejected\"}\nline two",
                new SdkException("inner body " + canary, null));
        raw.addSuppressed(new SdkException("suppressed " + canary, null));

        RollbackException e = new RollbackException(ErrorCode.CREDENTIAL_PROBLEM, "sign-in failed", raw);

        assertThat(e.getCause()).isInstanceOf(RedactedCause.class).isNotSameAs(raw);
        RedactedCause cause = (RedactedCause) e.getCause();
        assertThat(cause.originalType()).isEqualTo(SdkException.class.getName());
        assertThat(cause.getMessage())
                .startsWith(SdkException.class.getName() + ": HTTP 401")
                .doesNotContain(canary)
                .doesNotContain("\n");
        assertThat(cause.getStackTrace()).isEqualTo(raw.getStackTrace());
        assertThat(cause.getCause()).isInstanceOf(RedactedCause.class);
        assertThat(cause.getSuppressed()).singleElement().isInstanceOf(RedactedCause.class);
        StringWriter printed = new StringWriter();
        e.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString())
                .contains("inner body ***", "suppressed ***")
                .doesNotContain(canary);
        assertThat(secret.reveal()).isEqualTo(canary);
    }

    @Test
    void aDriverSqlExceptionKeepsItsSqlStateButLosesItsSecret() {
        SQLException raw =
                new SQLException("FATAL: connection to postgresql://app:hunter22@db:5432/x refused", "28P01", 7);
        RollbackException e = new RollbackException(ErrorCode.EXTERNAL_FAILURE, "connect failed", raw);
        assertThat(e.getCause()).isInstanceOf(SQLException.class).isNotSameAs(raw);
        SQLException cause = (SQLException) e.getCause();
        assertThat(cause.getSQLState()).isEqualTo("28P01");
        assertThat(cause.getErrorCode()).isEqualTo(7);
        assertThat(cause.getMessage()).doesNotContain("hunter22").contains("app:***@db");
    }

    @Test
    void aCleanJdkCauseIsKeptSoCallersCanStillBranchOnIt() {
        InterruptedException interrupted = new InterruptedException("sleep interrupted");
        assertThat(new RollbackException(ErrorCode.STEP_INTERRUPTED, "stopped", interrupted).getCause())
                .isSameAs(interrupted);
        IllegalStateException leaky = new IllegalStateException("password=swordfish9");
        assertThat(new RollbackException(ErrorCode.EXTERNAL_FAILURE, "x", leaky).getCause())
                .isInstanceOf(RedactedCause.class)
                .hasMessage("java.lang.IllegalStateException: password=***");
    }

    @Test
    void initCauseRedactsToo() {
        RollbackException e = new RollbackException(ErrorCode.EXTERNAL_FAILURE, "late cause");
        e.initCause(new SdkException("token=abcdef123456", null));
        assertThat(e.getCause()).isInstanceOf(RedactedCause.class);
        assertThat(e.getCause().getMessage()).endsWith("token=***");
    }

    @Test
    void theRegistryOfKnownSecretsIsBounded() {
        List<Secret> held = new ArrayList<>();
        for (int i = 0; i < Redaction.MAX_KNOWN + 50; i++) {
            held.add(Secret.of("bounded-" + i + "-" + System.nanoTime()));
        }
        assertThat(Redaction.knownCount()).isLessThanOrEqualTo(Redaction.MAX_KNOWN);
        String newest = held.get(held.size() - 1).reveal();
        assertThat(Redaction.redact("x " + newest)).isEqualTo("x ***");
    }

    @Test
    void aReleasedSecretIsNoLongerKnown() {
        String value = "released-" + System.nanoTime();
        Redaction.register(value);
        int before = Redaction.knownCount();
        assertThat(Redaction.redact(value)).isEqualTo(Redaction.MASK);
        Redaction.release(value);
        assertThat(Redaction.knownCount()).isEqualTo(before - 1);
        assertThat(Redaction.redact(value)).isEqualTo(value);
    }

    @Test
    void quotedConninfoAndJsonValuesAreMaskedWhole() {
        assertThat(Redaction.redact("host=db password='a b\\'c d' user=app"))
                .isEqualTo("host=db password='***' user=app");
        assertThat(Redaction.redact("{\"token\": \"two words\", \"user\": \"app\"}"))
                .isEqualTo("{\"token\": \"***\", \"user\": \"app\"}");
        assertThat(Redaction.redact("password=\"p w\" sslmode=verify-full"))
                .isEqualTo("password=\"***\" sslmode=verify-full");
    }
}
