package dev.rollback.azure.appservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.appservice.AppServiceManager;
import dev.rollback.azure.appservice.internal.AzureFailures;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
    /** A manager over an empty pipeline: building it calls nothing, and these tests send nothing. */
    private static final AppServiceRollback AZURE =
            AppServiceRollback.ofAppServiceManager(AppServiceManager.authenticate(
                    new HttpPipelineBuilder().build(),
                    new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE)));

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
        assertThat(AZURE.slotSwap().resourceGroup("rg").app("shop").build().idempotent())
                .isFalse();
    }

    @Test
    void runbookRefusesAZeroPercentage() {
        assertThatThrownBy(() -> AppServiceRunbook.builder().percentage(0))
                .hasMessageContaining("percentage")
                .hasMessageContaining("0.0");
    }

    @Test
    void retryAfterIsReadInSecondsAndAsAnHttpDate() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        assertThat(AzureFailures.parseRetryAfter("3", now)).contains(Duration.ofSeconds(3));
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(AzureFailures.parseRetryAfter(date, now)).contains(Duration.ofSeconds(7));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(AzureFailures.parseRetryAfter(past, now)).contains(Duration.ZERO);
        assertThat(AzureFailures.parseRetryAfter("soon", now)).isEmpty();
        assertThat(AzureFailures.parseRetryAfter("-1", now)).isEmpty();
        assertThat(AzureFailures.parseRetryAfter(null, now)).isEmpty();
    }
}
