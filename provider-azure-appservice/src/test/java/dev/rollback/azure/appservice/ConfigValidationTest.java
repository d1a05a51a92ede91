package dev.rollback.azure.appservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.appservice.AppServiceManager;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.http.HealthCheckVerifier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
    /** A manager over a pipeline that holds only the retry policy: building it calls nothing, and these tests send nothing. */
    private static final AppServiceRollback AZURE =
            AppServiceRollback.ofAppServiceManager(manager(new HttpPipelineBuilder()
                    .policies(DeadlineAwareRetryPolicy.ofDefaults())
                    .build()));

    private static AppServiceManager manager(HttpPipeline pipeline) {
        return AppServiceManager.authenticate(
                pipeline, new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE));
    }

    @Test
    void aManagerThatDoesNotRetryWithTheDeadlineAwarePolicyIsRefusedSayingWhatToChange() {
        assertThatThrownBy(() -> AppServiceRollback.ofAppServiceManager(manager(new HttpPipelineBuilder().build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the AppServiceManager's HTTP pipeline holds 0 DeadlineAwareRetryPolicy")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
        assertThatThrownBy(() -> AppServiceRollback.ofAppServiceManager(manager(new HttpPipelineBuilder()
                        .policies(new com.azure.core.http.policy.RetryPolicy())
                        .build())))
                .hasMessageContaining("re-sends a request after an I/O error whatever its method");
    }

    @Test
    void aSwapMustKnowWhichWayItGoes() {
        assertThatThrownBy(
                        () -> AZURE.slotSwap().resourceGroup("rg").app("shop").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expectedVersion or brokenVersion is required for the swap of slot blue-previous")
                .hasMessageContaining("swap the broken build back in");
        assertThatThrownBy(() -> AZURE.slotSwap()
                        .resourceGroup("rg")
                        .app("shop")
                        .expectedVersion("v41")
                        .brokenVersion("v41")
                        .build())
                .hasMessageContaining("must differ")
                .hasMessageContaining("'v41'");
        assertThatThrownBy(() -> AppServiceRunbook.builder()
                        .resourceGroup("rg")
                        .app("shop")
                        .healthCheck(HealthCheckVerifier.builder()
                                .url("https://shop.example/health")
                                .build())
                        .build())
                .hasMessageContaining("expectedVersion or brokenVersion is required");
        assertThat(AZURE.slotSwap()
                        .resourceGroup("rg")
                        .app("shop")
                        .brokenVersion("v42")
                        .build()
                        .brokenVersion())
                .contains("v42");
        assertThatThrownBy(() -> AZURE.slotSwap().reconcileWindow(Duration.ofMinutes(31)))
                .hasMessageContaining("reconcileWindow")
                .hasMessageContaining("PT31M");
    }

    @Test
    void trafficRoutingRefusesAPercentageOutsideZeroToHundredNamingIt() {
        assertThatThrownBy(() -> AZURE.trafficRouting().percentage(101))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percentage")
                .hasMessageContaining("101");
        assertThatThrownBy(() -> AZURE.trafficRouting().percentage(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> AZURE.trafficRouting().percentage(Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void namesAreCheckedAtOnceNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> AZURE.trafficRouting().resourceGroup("rg/../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resourceGroup")
                .hasMessageContaining("rg/../x");
        assertThatThrownBy(() -> AZURE.slotSwap().app("-shop"))
                .hasMessageContaining("app")
                .hasMessageContaining("-shop");
        assertThatThrownBy(() -> AZURE.slotSwap().slot("production"))
                .hasMessageContaining("slot")
                .hasMessageContaining("production");
        assertThatThrownBy(() -> AZURE.slotStateCheck().slot("blue previous")).hasMessageContaining("'blue previous'");
        assertThatThrownBy(() -> AZURE.slotSwap().id("swap slots")).hasMessageContaining("id");
        assertThatThrownBy(() -> AZURE.slotSwap().expectedVersion(" ")).hasMessageContaining("expectedVersion");
        assertThatThrownBy(() -> AZURE.slotStateCheck().resourceGroup("rg.")).hasMessageContaining("rg.");
    }

    @Test
    void requiredValuesAreCheckedAtBuild() {
        assertThatThrownBy(() -> AZURE.trafficRouting().app("shop").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resourceGroup");
        assertThatThrownBy(() -> AZURE.slotSwap().resourceGroup("rg").build()).hasMessageContaining("app");
        assertThatThrownBy(() -> AZURE.trafficRouting().brokenVersion("")).hasMessageContaining("brokenVersion");
        assertThatThrownBy(() -> AppServiceRunbook.builder()
                        .resourceGroup("rg")
                        .app("shop")
                        .build())
                .hasMessageContaining("healthCheck");
    }

    @Test
    void aBuilderCanBeReusedWithoutChangingWhatItBuilt() {
        TrafficRoutingStep.Builder builder =
                AZURE.trafficRouting().resourceGroup("rg").app("shop").percentage(100);
        TrafficRoutingStep first = builder.build();
        TrafficRoutingStep second = builder.percentage(0).id("clear").build();
        assertThat(first.percentage()).isEqualTo(100);
        assertThat(first.id()).isEqualTo("route-traffic");
        assertThat(second.percentage()).isZero();
        assertThat(first.idempotent()).isTrue();
        assertThat(AZURE.slotSwap()
                        .resourceGroup("rg")
                        .app("shop")
                        .expectedVersion("v41")
                        .build()
                        .idempotent())
                .isFalse();
    }

    @Test
    void runbookRefusesAZeroPercentage() {
        assertThatThrownBy(() -> AppServiceRunbook.builder().percentage(0))
                .hasMessageContaining("percentage")
                .hasMessageContaining("0.0");
    }
}
