package dev.rollback.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void masksARegisteredSecretInEveryEncoding() {
        String value = "canary/" + System.nanoTime() + "+pw\"x";
        Secret secret = Secret.of(value);
        String text = "raw " + value + " url " + URLEncoder.encode(value, StandardCharsets.UTF_8)
                + " b64 " + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + " json " + value.replace("\"", "\\\"").replace("/", "\\/");
        String out = Redaction.redact(text);
        assertThat(out)
                .doesNotContain(value)
                .doesNotContain(URLEncoder.encode(value, StandardCharsets.UTF_8))
                .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .contains("raw ***", "url ***", "b64 ***", "json ***");
        assertThat(secret.toString()).isEqualTo("***");
    }

    @Test
    void masksWellKnownSecretShapesNobodyRegistered() {
        assertThat(Redaction.redact("jdbc:postgresql://dbadmin:hunter22@db.example:5432/cpa"))
                .isEqualTo("jdbc:postgresql://dbadmin:***@db.example:5432/cpa");
        assertThat(Redaction.redact("host=db user=x password=s3cret! sslmode=require"))
                .isEqualTo("host=db user=x password=*** sslmode=require");
        assertThat(Redaction.redact(
                        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;EndpointSuffix=x"))
                .isEqualTo("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x");
        assertThat(Redaction.redact("GET /c?sv=2020&sig=AbCdEf%2B1&se=2")).isEqualTo("GET /c?sv=2020&sig=***&se=2");
        assertThat(Redaction.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload"))
                .isEqualTo("Authorization: Bearer ***");
        assertThat(Redaction.redact("{\"client_secret\":\"qwertyuiop\"}")).isEqualTo("{\"client_secret\":\"***\"}");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "step 'swap' failed: 503 Service Unavailable after 3 attempts";
        assertThat(Redaction.redact(text)).isEqualTo(text);
    }

    @Test
    void describesACauseChainRedacted() {
        Exception e =
                new IllegalStateException("connect failed", new RuntimeException("FATAL: password=topsecret rejected"));
        assertThat(Redaction.describe(e))
                .isEqualTo(
                        "IllegalStateException: connect failed; caused by RuntimeException: FATAL: password=*** rejected");
    }
}
