package dev.rollback.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import org.junit.jupiter.api.Test;

class PostgresJdbcUrlTest {

    @Test
    void readsHostPortAndDatabaseAndLeavesTheParametersOut() {
        PostgresEndpoint endpoint = PostgresJdbcUrl.endpoint(
                "jdbc:postgresql://db.internal:6432/orders?sslmode=require", "app", "s3cret-pw");

        assertThat(endpoint.host()).isEqualTo("db.internal");
        assertThat(endpoint.port()).isEqualTo(6432);
        assertThat(endpoint.database()).isEqualTo("orders");
        assertThat(endpoint.user()).isEqualTo("app");
        assertThat(endpoint.password().reveal()).isEqualTo("s3cret-pw");
        assertThat(endpoint.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/orders");
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
