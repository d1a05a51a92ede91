package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.redis.RedisServer;
import java.net.URLClassLoader;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The Azure SDK is an optional dependency of provider-redis: an application on a self-hosted Redis
 * does not get it, and the provider must work without it. Run on a class path without the SDK,
 * Reactor and Netty, the runbook's flush empties a real Redis; the Azure control plane, loaded there,
 * fails with an error that names the artifact to add.
 */
class AzureSdkIsOptionalIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    @Test
    void aSelfHostedRedisRollbackRunsWithoutTheAzureSdkAndTheAzureStepNamesTheArtifactToAdd() throws Exception {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            jedis.set("stale", "v41");
        }

        List<String> result;
        try (URLClassLoader withoutAzure = ClassPathWithoutAzure.open()) {
            assertThatThrownBy(() -> withoutAzure.loadClass("com.azure.core.http.HttpClient"))
                    .as("the Azure SDK is not on that class path")
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Function<List<String>, List<String>> run = (Function<List<String>, List<String>>) withoutAzure
                    .loadClass(SelfHostedRedisRun.class.getName())
                    .getConstructor()
                    .newInstance();
            result = run.apply(List.of(
                    REDIS.server().host(),
                    String.valueOf(REDIS.server().port()),
                    REDIS.server().password()));
        }

        assertThat(result.get(0)).isEqualTo("SUCCEEDED");
        try (Jedis jedis = Servers.client(REDIS.server())) {
            assertThat(jedis.exists("stale")).isFalse();
        }
        assertThat(result.get(1))
                .startsWith("dev.rollback.api.RollbackException: ")
                .contains("Azure Cache for Redis force reboot")
                .contains("com.azure.resourcemanager:azure-resourcemanager-redis")
                .contains("missing class com.azure.resourcemanager.redis.RedisManager");
    }
}
