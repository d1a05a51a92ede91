package dev.rollback.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a real azure-identity ClientSecretCredential throws when Entra ID refuses its secret (a plain
 * RuntimeException around MSAL's exception, not a ClientAuthenticationException), from a token
 * endpoint that quotes the secret back: both mappings make it a credential problem that keeps the
 * AADSTS code and nothing of the refusal.
 */
class TokenRefusalIT {
    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    @Test
    void aRefusedClientSecretIsACredentialProblemThatNeverQuotesTheSecret() {
        String secret = "echoed-" + UUID.randomUUID();
        AZURE.server().entraId().refusesEchoingTheSecret();
        TokenCredential credential = AzureSimulatorClients.clientSecretCredential(AZURE.server(), "app", secret);
        Throwable sdk = catchThrowable(
                () -> credential.getTokenSync(new TokenRequestContext().addScopes(EntraAccessTokens.POSTGRES_SCOPE)));
        assertThat(trace(sdk)).as("the SDK's own exception quotes it").contains(secret);

        RollbackException mapped = AzureFailures.map("reading web app shop", (RuntimeException) sdk);
        Throwable fromTokens = catchThrowable(() -> EntraAccessTokens.of(credential, EntraAccessTokens.POSTGRES_SCOPE)
                .get());

        assertThat(mapped.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
        assertThat(mapped.getMessage()).contains("credential problem").contains("AADSTS7000215");
        assertThat(fromTokens)
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM));
        assertThat(trace(mapped)).doesNotContain(secret);
        assertThat(trace(fromTokens)).doesNotContain(secret);
    }

    private static String trace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
