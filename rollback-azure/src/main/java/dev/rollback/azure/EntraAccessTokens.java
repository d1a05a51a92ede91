package dev.rollback.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Microsoft Entra ID access tokens for one scope, taken from an azure-identity {@link TokenCredential}
 * (a {@code DefaultAzureCredential}, a managed identity, a client secret) and handed out as the
 * {@link Secret} password of a data-plane login: Azure Database for PostgreSQL
 * ({@link #POSTGRES_SCOPE}) and Azure Cache for Redis ({@link #REDIS_SCOPE}). A token is kept and
 * handed out again until {@code refreshMargin} before its {@code expiresAt}; the first
 * {@link #get()} after that asks the credential for a new one. So a connection opened late in a long
 * run, after the first token expired, logs in with a fresh token, and a burst of connections costs
 * one token request.
 *
 * <p>Thread-safe: {@link #get()} is synchronized, so concurrent callers share one token request. A
 * credential that cannot give a token is a {@link ErrorCode#CREDENTIAL_PROBLEM} whose message names
 * the scope and, when there is one, the Entra ID error code ({@code AADSTS7000215}); never the
 * credential's own message nor its exception, which may quote a client secret or a response body.
 * Its {@link #toString()} names the scope, never a token.
 */
public final class EntraAccessTokens implements Supplier<Secret> {
    /** The scope of Azure Database for PostgreSQL (and MySQL) tokens. */
    public static final String POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default";
    /** The scope of Azure Cache for Redis tokens. */
    public static final String REDIS_SCOPE = "https://redis.azure.com/.default";
    /** How long before its expiry a token is replaced: 5 minutes, as the Azure SDK's own clients do. */
    public static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);

    private final TokenCredential credential;
    private final String scope;
    private final RollbackClock clock;
    private final Duration refreshMargin;
    private Secret current;
    private Instant expiresAt;

    private EntraAccessTokens(TokenCredential credential, String scope, RollbackClock clock, Duration refreshMargin) {
        this.credential = Objects.requireNonNull(credential, "credential");
        this.scope = Arguments.requireText(scope, "scope");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.refreshMargin = Objects.requireNonNull(refreshMargin, "refreshMargin");
        if (refreshMargin.isNegative()) {
            throw new IllegalArgumentException("refreshMargin must not be negative, but was " + refreshMargin);
        }
    }

    /** Tokens for {@code scope} from {@code credential}, on the system clock, {@link #DEFAULT_REFRESH_MARGIN}. */
    public static EntraAccessTokens of(TokenCredential credential, String scope) {
        return new EntraAccessTokens(credential, scope, RollbackClock.system(), DEFAULT_REFRESH_MARGIN);
    }

    /**
     * Tokens for {@code scope} from {@code credential}, replaced {@code refreshMargin} (zero or more)
     * before they expire on {@code clock}.
     */
    public static EntraAccessTokens of(
            TokenCredential credential, String scope, RollbackClock clock, Duration refreshMargin) {
        return new EntraAccessTokens(credential, scope, clock, refreshMargin);
    }

    /** The scope the tokens are for. */
    public String scope() {
        return scope;
    }

    /**
     * The current token: the one kept, unless it is due for refresh, then a new one from the
     * credential.
     *
     * @throws RollbackException {@link ErrorCode#CREDENTIAL_PROBLEM} if the credential gives none
     */
    @Override
    public synchronized Secret get() {
        Instant now = clock.instant();
        if (current != null && now.isBefore(expiresAt.minus(refreshMargin))) {
            return current;
        }
        AccessToken token;
        try {
            token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
        } catch (RuntimeException e) {
            throw refused(e);
        }
        if (token == null || token.getToken() == null || token.getToken().isEmpty() || token.getExpiresAt() == null) {
            throw new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    "no Microsoft Entra ID access token for " + scope + ": the credential returned none");
        }
        current = Secret.of(token.getToken());
        expiresAt = token.getExpiresAt().toInstant();
        return current;
    }

    private RollbackException refused(RuntimeException e) {
        String code = AzureFailures.entraErrorCode(e);
        // Neither the credential's message nor its exception: an identity provider may quote the secret back.
        return new RollbackException(
                ErrorCode.CREDENTIAL_PROBLEM,
                "no Microsoft Entra ID access token for " + scope + ": credential problem ("
                        + e.getClass().getSimpleName() + (code.isEmpty() ? "" : ", Entra ID error " + code) + ")");
    }

    @Override
    public String toString() {
        return "EntraAccessTokens[" + scope + "]";
    }
}
