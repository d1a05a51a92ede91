package dev.rollback.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SingleStatementTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT count(*) FROM users",
                "SELECT count(*) FROM users;",
                "SELECT count(*) FROM users ;  -- trailing comment",
                "SELECT ';' || 'a'';b'",
                "SELECT E'it\\'s; fine'",
                "SELECT count(*) FROM \"odd;name\"",
                "SELECT $$;$$, $tag$ ; $tag$",
                "SELECT 1 /* ; /* nested ; */ still */",
                "SELECT 1; /* only a comment after */"
            })
    void acceptsOneStatement(String sql) {
        assertThat(SingleStatement.require(sql, "sql")).isEqualTo(sql);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT 1; COMMIT; DELETE FROM users",
                "SELECT 1;DELETE FROM users",
                "SELECT ';'; DROP TABLE users",
                "SELECT $$x$$; SET default_transaction_read_only = off",
                "SELECT 1 /* c */; UPDATE users SET name = 'x'"
            })
    void refusesASecondStatementThatCouldEndTheReadOnlyTransaction(String sql) {
        assertThatThrownBy(() -> SingleStatement.require(sql, "sql"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sql must be one SQL statement");
    }
}
