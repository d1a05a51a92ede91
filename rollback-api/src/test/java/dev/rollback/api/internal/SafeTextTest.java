package dev.rollback.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Redaction;
import dev.rollback.api.Secret;
import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void escapesLineBreaksTerminalEscapesSeparatorsAndBidiOverrides() {
        assertThat(SafeText.escape("a\r\nb\tc\u001b[2Kd\u0085e\u2028f\u2029g\u202eh\u007f"))
                .isEqualTo("a\\r\\nb\\tc\\u001b[2Kd\\u0085e\\u2028f\\u2029g\\u202eh\\u007f");
    }

    @Test
    void leavesPrintableTextAsItIsAndNeverCutsIt() {
        String text = "Grüße, 東京 \\ 'quoted' " + "x".repeat(500);
        assertThat(SafeText.escape(text)).isSameAs(text);
        assertThat(SafeText.escape(null)).isEmpty();
    }

    @Test
    void ofRedactsBeforeItEscapes() {
        Secret.of("s3cr3t-canary-value");
        assertThat(SafeText.of("login failed\npassword s3cr3t-canary-value"))
                .isEqualTo("login failed\\npassword " + Redaction.MASK);
    }

    @Test
    void printableUsesTheSameRuleAndCutsAt120() {
        assertThat(Arguments.printable("a\nb\u001b")).isEqualTo("a\\nb\\u001b");
        assertThat(Arguments.printable("y".repeat(200))).hasSize(123).endsWith("...");
    }

    @Test
    void aThrowablesDescriptionIsOneLine() {
        assertThat(Redaction.describe(new IllegalStateException("ERROR: x\nDETAIL: y", new RuntimeException("z\r"))))
                .isEqualTo("IllegalStateException: ERROR: x\\nDETAIL: y; caused by RuntimeException: z\\r");
    }
}
