package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.rollback.testkit.ServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzureEntraIdIT {

    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    private static final TokenRequestContext POSTGRES =
            new TokenRequestContext().addScopes("https://ossrdbms-aad.database.windows.net/.default");

    @Test
    void aRealClientSecretCredentialGetsTheTokenTheTestChoseWithItsLifetime() {
        AzureControlPlaneSimulator azure = AZURE.server();
        azure.entraId().issues("token-one", Duration.ofMinutes(42));
        TokenCredential credential = AzureSimulatorClients.clientSecretCredential(azure, "app-one", "s3cret");

        AccessToken token = credential.getTokenSync(POSTGRES);

        assertThat(token.getToken()).isEqualTo("token-one");
        assertThat(token.getExpiresAt())
                .isBetween(
                        OffsetDateTime.now().plusMinutes(41),
                        OffsetDateTime.now().plusMinutes(43));
        assertThat(azure.entraId().tokenRequests()).last().satisfies(request -> {
            assertThat(request.tenant()).isEqualTo(AzureSimulatorClients.TENANT_ID);
            assertThat(request.clientId()).isEqualTo("app-one");
            // MSAL adds "openid profile offline_access" to the scope it was given
            assertThat(request.scope()).startsWith("https://ossrdbms-aad.database.windows.net/.default");
        });
    }

    @Test
    void aRefusalEchoesTheClientSecretIntoTheSdksException() {
        AzureControlPlaneSimulator azure = AZURE.server();
        azure.entraId().refusesEchoingTheSecret();
        try {
            TokenCredential credential = AzureSimulatorClients.clientSecretCredential(azure, "app-two", "echo-me-7f3a");

            assertThatThrownBy(() -> credential.getTokenSync(POSTGRES))
                    .satisfies(e -> assertThat(stackTrace(e)).contains("echo-me-7f3a"));
        } finally {
            azure.entraId().issues(SimulatedEntraId.DEFAULT_ACCESS_TOKEN, Duration.ofHours(1));
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
