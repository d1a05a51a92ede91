package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.redis.fluent.models.RedisForceRebootResponseInner;
import com.azure.resourcemanager.redis.models.RebootType;
import com.azure.resourcemanager.redis.models.RedisCache;
import com.azure.resourcemanager.redis.models.RedisRebootParameters;
import dev.rollback.testkit.ServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzureRedisIT {

    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    private static AzureControlPlaneSimulator azure;
    private static AzureResourceManager arm;

    @BeforeAll
    static void clients() {
        azure = AZURE.server();
        arm = AzureSimulatorClients.resourceManager(azure);
    }

    @BeforeEach
    void forgetRequests() {
        azure.resetRequests();
    }

    @Test
    void theSdkReadsTheSeededProvisioningState() {
        azure.redisCache("rg-state", "cache").provisioningState("Updating");

        assertThat(arm.redisCaches().getByResourceGroup("rg-state", "cache").provisioningState())
                .isEqualTo("Updating");
    }

    @Test
    void forceRebootsOfEachNodeTypeAreAcceptedAndRecordedInOrder() {
        azure.redisCache("rg-reboot", "cache");
        RedisCache cache = arm.redisCaches().getByResourceGroup("rg-reboot", "cache");

        cache.forceReboot(RebootType.ALL_NODES);
        RedisForceRebootResponseInner answer = arm.redisCaches()
                .manager()
                .serviceClient()
                .getRedis()
                .forceReboot("rg-reboot", "cache", new RedisRebootParameters().withRebootType(RebootType.PRIMARY_NODE));
        cache.forceReboot(RebootType.SECONDARY_NODE);

        assertThat(azure.redisCache("rg-reboot", "cache").reboots())
                .containsExactly("AllNodes", "PrimaryNode", "SecondaryNode");
        assertThat(answer.message()).contains("PrimaryNode");
        RecordedRequests reboots = azure.requests().forOperation(AzureOperation.REDIS_FORCE_REBOOT);
        assertThat(reboots.all())
                .extracting(RecordedRequest::body)
                .containsExactly(
                        "{\"rebootType\":\"AllNodes\"}",
                        "{\"rebootType\":\"PrimaryNode\"}",
                        "{\"rebootType\":\"SecondaryNode\"}");
        assertThat(reboots.last().path()).endsWith("/providers/Microsoft.Cache/redis/cache/forceReboot");
        assertThat(reboots.last().queryParameter("api-version")).contains("2024-11-01");
    }
}
