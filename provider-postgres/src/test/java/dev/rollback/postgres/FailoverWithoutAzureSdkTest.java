package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLClassLoader;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The self-hosted database failover needs no Azure SDK (an optional dependency): on a class path
 * without the SDK, Reactor and Netty its plan builds, and the Azure failover's control plane says which
 * artifact to add.
 */
class FailoverWithoutAzureSdkTest {

    @Test
    void theSelfHostedFailoverPlanBuildsWithoutTheAzureSdkAndTheAzureFailoverNamesTheArtifactToAdd() throws Exception {
        List<String> result;
        try (URLClassLoader withoutAzure = ClassPathWithoutAzure.open()) {
            @SuppressWarnings("unchecked")
            Supplier<List<String>> run = (Supplier<List<String>>) withoutAzure
                    .loadClass(SelfHostedFailoverPlanRun.class.getName())
                    .getConstructor()
                    .newInstance();
            result = run.get();
        }

        assertThat(result.subList(0, 3))
                .containsExactly("fence-old-primary", "promote-replica", "switch-to-promoted-replica");
        assertThat(result.get(3))
                .startsWith("dev.rollback.api.RollbackException: ")
                .contains("Azure flexible-server failover (HighAvailabilityControlPlane)")
                .contains("com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver")
                .contains("missing class com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager");
    }
}
