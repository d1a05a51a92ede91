package dev.rollback.testkit.fault;

import dev.rollback.testkit.internal.Passwords;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Random, unique secrets of each kind the library handles, planted in a test's configuration so
 * that a {@link CanaryScanner} can prove none of them leaves (docs/fault-model.md, invariant 6). Each holds
 * characters that URL encoding and JSON escaping change ({@code " \ / + = & ;}), so every encoded
 * form differs from the raw one. Immutable.
 *
 * @param password a database password
 * @param connectionString a connection string with a password inside
 * @param azureClientSecret an Azure (Entra ID) client secret
 * @param oauthSecret an OAuth client secret
 * @param redisPassword a Redis password
 */
public record SecretCanaries(
        String password, String connectionString, String azureClientSecret, String oauthSecret, String redisPassword) {

    /** Validates. */
    public SecretCanaries {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectionString, "connectionString");
        Objects.requireNonNull(azureClientSecret, "azureClientSecret");
        Objects.requireNonNull(oauthSecret, "oauthSecret");
        Objects.requireNonNull(redisPassword, "redisPassword");
    }

    /** A fresh set of random canaries. */
    public static SecretCanaries generate() {
        return new SecretCanaries(
                "pw-" + Passwords.generate(16) + "+/=\"\\",
                "Server=tcp:canary-" + Passwords.generate(8).toLowerCase(Locale.ROOT)
                        + ".example;User Id=app;Password=cs-" + Passwords.generate(16) + "&x=\"\\;",
                "az~" + Passwords.generate(24) + "_/+\"\\",
                "oauth-" + Passwords.generate(20) + "/=&\"",
                "redis-" + Passwords.generate(20) + "+\\/");
    }

    /** Every canary by kind ("password", "connection-string", ...), in a stable order. */
    public Map<String, String> byKind() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("password", password);
        all.put("connection-string", connectionString);
        all.put("azure-client-secret", azureClientSecret);
        all.put("oauth-secret", oauthSecret);
        all.put("redis-password", redisPassword);
        return all;
    }

    /** Never shows the secrets. */
    @Override
    public String toString() {
        return "SecretCanaries[***]";
    }
}
