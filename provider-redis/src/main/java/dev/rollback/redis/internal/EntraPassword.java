package dev.rollback.redis.internal;

import com.azure.core.credential.TokenCredential;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.OptionalDependencies;
import dev.rollback.azure.EntraAccessTokens;
import java.util.function.Supplier;

/**
 * The Microsoft Entra ID token password of {@code RedisEndpoint.Builder.entraToken}: the one class
 * of the endpoint that touches azure-core and rollback-azure, optional dependencies, loaded only
 * when a caller asks for a token password. Stateless; the tokens it hands out are cached by
 * {@link EntraAccessTokens} (thread-safe).
 */
public final class EntraPassword {
    static {
        OptionalDependencies.require(
                EntraPassword.class,
                "The passwordless Azure Cache for Redis login (RedisEndpoint.Builder.entraToken)",
                "dev.rollback:rollback-azure and com.azure:azure-identity",
                "dev.rollback.azure.EntraAccessTokens",
                "com.azure.core.credential.TokenCredential");
    }

    private EntraPassword() {}

    /** Tokens for Azure Cache for Redis from {@code credential}, fetched on demand and cached. */
    public static Supplier<Secret> redis(TokenCredential credential) {
        return EntraAccessTokens.of(credential, EntraAccessTokens.REDIS_SCOPE);
    }
}
