package dev.rollback.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.PostgresSslMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PostgresJdbcUrlTest {

    @Test
    void readsHostPortDatabaseAndTheTlsModeAndLeavesOtherParametersOut() {
        PostgresEndpoint endpoint = PostgresJdbcUrl.endpoint(
                "jdbc:postgresql://db.internal:6432/orders?sslmode=require&ApplicationName=orders", "app", "s3cret-pw");

        assertThat(endpoint.host()).isEqualTo("db.internal");
        assertThat(endpoint.port()).isEqualTo(6432);
        assertThat(endpoint.database()).isEqualTo("orders");
        assertThat(endpoint.user()).isEqualTo("app");
        assertThat(endpoint.password().reveal()).isEqualTo("s3cret-pw");
        assertThat(endpoint.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/orders");
        assertThat(endpoint.sslMode()).isEqualTo(PostgresSslMode.REQUIRE);
        assertThat(endpoint.sslRootCertificate()).isEmpty();
    }

    @Test
    void carriesTheRootCertificateAndKeepsVerifyFullTheDefaultForARemoteHost() {
        PostgresEndpoint withRoot = PostgresJdbcUrl.endpoint(
                "jdbc:postgresql://db.internal/orders?sslrootcert=%2Fetc%2Fssl%2Fcompany-ca.pem", "app", "pw");
        PostgresEndpoint plain = PostgresJdbcUrl.endpoint("jdbc:postgresql://db.internal/orders", "app", "pw");

        assertThat(withRoot.sslRootCertificate()).contains(Path.of("/etc/ssl/company-ca.pem"));
        assertThat(withRoot.sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
        assertThat(plain.sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
    }

    @Test
    void refusesAnUnknownTlsModeNamingIt() {
        assertThatThrownBy(() -> PostgresJdbcUrl.endpoint(
                        "jdbc:postgresql://db.internal/orders?sslmode=trust-me", "app", "canary-4"))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("sslmode 'trust-me'")
                .hasMessageContaining("verify-full")
                .hasMessageNotContaining("canary-4");
    }

    @Test
    void takesThePostgresPortWhenTheUrlHasNone() {
        assertThat(PostgresJdbcUrl.endpoint("jdbc:postgresql://localhost/app", "app", "pw")
                        .port())
                .isEqualTo(5432);
    }

    @Test
    void refusesAnotherDatabaseNamingTheUrlWithoutItsParameters() {
        assertThatThrownBy(() -> PostgresJdbcUrl.endpoint("jdbc:h2:mem:test;password=canary-9", "sa", "canary-9"))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("is not a jdbc:postgresql://host[:port]/database URL")
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    void refusesSeveralHostsAndAMissingDatabaseOrUserAndNeverShowsThePassword() {
        assertThatThrownBy(() -> PostgresJdbcUrl.endpoint(
                        "jdbc:postgresql://a:5432,b:5432/app?password=canary-1", "app", "canary-1"))
                .hasMessageContaining("'jdbc:postgresql://a:5432,b:5432/app'")
                .hasMessageContaining("exactly one host")
                .hasMessageNotContaining("canary-1");
        assertThatThrownBy(() -> PostgresJdbcUrl.endpoint("jdbc:postgresql://a:5432/", "app", "canary-2"))
                .hasMessageContaining("names no database")
                .hasMessageNotContaining("canary-2");
        assertThatThrownBy(() -> PostgresJdbcUrl.endpoint("jdbc:postgresql://a:5432/app", " ", "canary-3"))
                .hasMessageContaining("no user is set")
                .hasMessageNotContaining("canary-3");
    }
}
