package dev.rollback.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class EntraAccessTokensTest {
    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");

    /** A clock the test moves. */
    private static final class TestClock implements RollbackClock {
        private Instant now = START;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public long monotonicNanos() {
            return Duration.between(START, now).toNanos();
        }
    }

    /** Issues token-1, token-2, ... each valid for an hour from the clock's now, and records the scopes asked. */
    private static final class CountingCredential implements TokenCredential {
        private final TestClock clock;
        private final List<String> scopes = new ArrayList<>();

        CountingCredential(TestClock clock) {
            this.clock = clock;
        }

        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            scopes.add(String.join(" ", request.getScopes()));
            return Mono.just(new AccessToken(
                    "token-" + scopes.size(),
                    clock.now.plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC)));
        }
    }

    @Test
    void keepsTheTokenUntilTheMarginBeforeItsExpiryThenFetchesANewOne() {
        TestClock clock = new TestClock();
        CountingCredential credential = new CountingCredential(clock);
        EntraAccessTokens tokens =
                EntraAccessTokens.of(credential, EntraAccessTokens.POSTGRES_SCOPE, clock, Duration.ofMinutes(5));

        assertThat(tokens.get().reveal()).isEqualTo("token-1");
        clock.now = START.plus(Duration.ofMinutes(54));
        assertThat(tokens.get().reveal()).isEqualTo("token-1");
        clock.now = START.plus(Duration.ofMinutes(55));
        assertThat(tokens.get().reveal()).isEqualTo("token-2");
        assertThat(credential.scopes)
                .containsExactly(EntraAccessTokens.POSTGRES_SCOPE, EntraAccessTokens.POSTGRES_SCOPE);
    }

    @Test
    void aTokenAlreadyWithinTheMarginIsFetchedAgainForEveryCaller() {
        TestClock clock = new TestClock();
        TokenCredential shortLived = request -> Mono.just(new AccessToken("short", clock.now.atOffset(ZoneOffset.UTC)));
        List<String> seen = new ArrayList<>();
        EntraAccessTokens tokens = EntraAccessTokens.of(
                request -> {
                    seen.add("asked");
                    return shortLived.getToken(request);
                },
                EntraAccessTokens.REDIS_SCOPE,
                clock,
                Duration.ofMinutes(5));

        tokens.get();
        tokens.get();

        assertThat(seen).hasSize(2);
    }

    @Test
    void aRefusedCredentialIsACredentialProblemThatKeepsTheEntraCodeAndNothingOfTheMessage() {
        String secret = "client-secret-that-must-not-leak-5d1e";
        TokenCredential refusing = request -> Mono.error(new ClientAuthenticationException(
                "AADSTS7000215: Invalid client secret provided: '" + secret + "'", null));
        EntraAccessTokens tokens = EntraAccessTokens.of(refusing, EntraAccessTokens.POSTGRES_SCOPE);

        assertThatThrownBy(tokens::get).isInstanceOfSatisfying(RollbackException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
            assertThat(e.getMessage())
                    .contains(EntraAccessTokens.POSTGRES_SCOPE)
                    .contains("AADSTS7000215")
                    .doesNotContain(secret);
            assertThat(stackTrace(e)).doesNotContain(secret);
        });
    }

    @Test
    void namesItsScopeAndNoToken() {
        TestClock clock = new TestClock();
        EntraAccessTokens tokens = EntraAccessTokens.of(
                new CountingCredential(clock), EntraAccessTokens.REDIS_SCOPE, clock, Duration.ZERO);
        tokens.get();

        assertThat(tokens.toString()).isEqualTo("EntraAccessTokens[https://redis.azure.com/.default]");
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
