package dev.rollback.azure.appservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.appservice.AppServiceManager;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import org.junit.jupiter.api.Test;

/** App Service steps name the web app and the slot they act on: {@code resourceGroup/app/slots/slot}. */
class ActsOnTest {
    /** A manager over a pipeline that holds only the retry policy: building it calls nothing. */
    private static final AppServiceRollback AZURE =
            AppServiceRollback.ofAppServiceManager(AppServiceManager.authenticate(
                    new HttpPipelineBuilder()
                            .policies(DeadlineAwareRetryPolicy.ofDefaults())
                            .build(),
                    new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE)));

    @Test
    void theSwapTheRoutingAndTheSlotCheckNameTheWebAppAndTheSlot() {
        assertThat(AZURE.slotSwap()
                        .resourceGroup("rg-staging")
                        .app("advisoros-staging")
                        .slot("blue")
                        .expectedVersion("v41")
                        .build()
                        .actsOn())
                .contains("rg-staging/advisoros-staging/slots/blue");
        assertThat(AZURE.trafficRouting()
                        .resourceGroup("rg-staging")
                        .app("advisoros-staging")
                        .slot("blue")
                        .percentage(10)
                        .build()
                        .actsOn())
                .contains("rg-staging/advisoros-staging/slots/blue");
        assertThat(AZURE.slotStateCheck()
                        .resourceGroup("rg-staging")
                        .app("advisoros-staging")
                        .slot("blue")
                        .build()
                        .asStep("check", "app-service")
                        .actsOn())
                .contains("rg-staging/advisoros-staging/slots/blue");
    }
}
