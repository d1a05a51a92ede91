package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.redis.RedisServer;
import dev.rollback.testkit.tls.TestCertificates;
import dev.rollback.testkit.tls.TlsForwarder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * TLS with hostname verification against the real Redis, behind the testkit's TLS-terminating
 * forwarder: one presenting a test certificate for 127.0.0.1 (the host the client dials), one for
 * wrong.example. The first is accepted, the second refused before a byte of Redis traffic, with a
 * message that says why and holds no password.
 */
class VerifiedTlsIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static TestCertificates ca;
    private static TlsForwarder right;
    private static TlsForwarder wrong;

    @BeforeAll
    static void forwarders() {
        ca = TestCertificates.create();
        RedisServer server = REDIS.server();
        right = TlsForwarder.start(ca.issue("localhost", "127.0.0.1"), server.host(), server.port());
        wrong = TlsForwarder.start(ca.issue("wrong.example"), server.host(), server.port());
    }

    @AfterAll
    static void close() {
        right.close();
        wrong.close();
        ca.close();
    }

    @BeforeEach
    void seed() {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            jedis.flushAll();
            jedis.set("session:1", "x");
        }
    }

    private static RedisEndpoint.Builder over(TlsForwarder forwarder) {
        return RedisEndpoint.from(Servers.endpoint(REDIS.server()))
                .host(forwarder.host())
                .port(forwarder.port())
                .ssl(true)
                .connectTimeout(Duration.ofSeconds(5));
    }

    private static void flush(RedisEndpoint endpoint) {
        RedisRollback.of(endpoint).flush().build().execute(TestStepContext.of("redis-flush", Duration.ofSeconds(30)));
    }

    private static long keys() {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            return jedis.dbSize();
        }
    }

    @Test
    void aStepReachesTheCacheOverTlsWhenTheCertificateNamesTheHostAndChainsToTheRoot() {
        int before = right.forwardedConnections();

        flush(over(right).rootCertificate(ca.rootCertificateFile()).build());

        assertThat(keys()).isZero();
        assertThat(right.forwardedConnections()).isGreaterThan(before);
    }

    @Test
    void aCertificateForAnotherHostIsRefusedAndNothingReachesTheCache() {
        int failedBefore = wrong.failedHandshakes();

        assertThatThrownBy(() -> flush(
                        over(wrong).rootCertificate(ca.rootCertificateFile()).build()))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("TLS refused the server's certificate")
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1")
                .satisfies(e -> assertThat(e).isNotInstanceOf(TransientFailureException.class))
                .satisfies(e -> assertThat(RedisRollback.of(over(wrong).build())
                                .flush()
                                .build()
                                .isTransient(e))
                        .as("a refused certificate is not tried again")
                        .isFalse())
                .satisfies(e ->
                        assertThat(printed(e)).doesNotContain(REDIS.server().password()));
        assertThat(keys()).as("the flush never reached the cache").isEqualTo(1);
        assertThat(wrong.forwardedConnections()).isZero();
        assertThat(wrong.failedHandshakes()).isGreaterThan(failedBefore);
    }

    @Test
    void withoutTheRootTheJvmsTrustStoreRefusesAPrivateAuthority() {
        assertThatThrownBy(() -> flush(over(right).build()))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("TLS refused the server's certificate");
        assertThat(keys()).isEqualTo(1);
    }

    @Test
    void aRootCertificateThatCannotBeReadIsAConfigurationErrorNamingTheFile() {
        RedisEndpoint endpoint = over(right)
                .rootCertificate(ca.rootCertificateFile().resolveSibling("missing.crt"))
                .build();

        assertThatThrownBy(() -> flush(endpoint))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("rootCertificate")
                .hasMessageContaining("missing.crt");
    }

    private static String printed(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out + " " + e;
    }
}
