package dev.rollback.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryScannerTest {
    private final SecretCanaries canaries = SecretCanaries.generate();
    private final CanaryScanner scanner = CanaryScanner.of(canaries);

    @Test
    void findsEveryCanaryRaw() {
        canaries.byKind()
                .forEach((kind, secret) -> assertThat(scanner.scan("log", "x " + secret + " y"))
                        .containsExactly(new CanaryScanner.Finding(kind, CanaryScanner.Encoding.RAW, "log")));
    }

    @Test
    void findsEveryCanaryUrlEncodedWithPlusOrPercentSpaces() {
        canaries.byKind().forEach((kind, secret) -> {
            String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            assertThat(scanner.scan("url", "?p=" + form))
                    .extracting(CanaryScanner.Finding::encoding)
                    .contains(CanaryScanner.Encoding.URL_ENCODED)
                    .doesNotContain(CanaryScanner.Encoding.RAW);
            assertThat(scanner.scan("url", form.replace("+", "%20")))
                    .extracting(CanaryScanner.Finding::encoding)
                    .contains(CanaryScanner.Encoding.URL_ENCODED);
        });
    }

    @Test
    void findsEveryCanaryInBase64AtEveryAlignmentAndInTheUrlSafeAlphabet() {
        canaries.byKind().forEach((kind, secret) -> {
            for (String prefix : new String[] {"", "u:", "us:", "user:"}) {
                byte[] bytes = (prefix + secret).getBytes(StandardCharsets.UTF_8);
                assertThat(scanner.scan("header", "Basic " + Base64.getEncoder().encodeToString(bytes)))
                        .extracting(CanaryScanner.Finding::encoding)
                        .containsExactly(CanaryScanner.Encoding.BASE64);
                assertThat(scanner.scan("token", Base64.getUrlEncoder().encodeToString(bytes)))
                        .extracting(CanaryScanner.Finding::encoding)
                        .containsExactly(CanaryScanner.Encoding.BASE64);
            }
        });
    }

    @Test
    void findsEveryCanaryJsonEscaped() {
        canaries.byKind().forEach((kind, secret) -> {
            String escaped = secret.replace("\\", "\\\\").replace("\"", "\\\"");
            assertThat(scanner.scan("report.json", "{\"k\":\"" + escaped + "\"}"))
                    .extracting(CanaryScanner.Finding::encoding)
                    .containsExactly(CanaryScanner.Encoding.JSON_ESCAPED);
        });
    }

    @Test
    void findsNothingInCleanTextAndNeverShowsTheCanaries() {
        assertThat(scanner.scan("log", "password=*** Basic ***")).isEmpty();
        assertThat(canaries.toString()).doesNotContain(canaries.password());
    }

    @Test
    void scansFilesAndFolders(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clean.log"), "nothing here");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/leak.log"), "oauth " + canaries.oauthSecret());
        assertThat(scanner.scan(dir))
                .containsExactly(new CanaryScanner.Finding(
                        "oauth-secret",
                        CanaryScanner.Encoding.RAW,
                        dir.resolve("sub/leak.log").toString()));
    }

    @Test
    void findsACanaryInTheSuppressedExceptionOfACauseOfAnException() {
        SecretCanaries canaries = SecretCanaries.generate();
        IllegalStateException cause = new IllegalStateException("clean");
        cause.addSuppressed(new RuntimeException("leaked " + canaries.redisPassword()));
        RuntimeException top = new RuntimeException("top", cause);

        assertThat(CanaryScanner.of(canaries).scan("failure", top))
                .extracting(CanaryScanner.Finding::kind)
                .contains("redis-password");
        assertThat(CanaryScanner.of(canaries).scan("clean", new RuntimeException("top", new IllegalStateException())))
                .isEmpty();
    }

    @Test
    void findsACanaryInTheEnvironmentOfAChildProcessWhileItRuns() throws Exception {
        SecretCanaries canaries = SecretCanaries.generate();
        CanaryScanner scanner = CanaryScanner.of(canaries);
        ProcessBuilder builder = new ProcessBuilder("sleep", "5");
        builder.environment().put("LEAKED", canaries.password());
        Process child = builder.start();
        try (ChildProcessWatch watch = ChildProcessWatch.start(scanner)) {
            assertThat(scanner.scanProcess(child.pid()))
                    .extracting(CanaryScanner.Finding::kind)
                    .contains("password");
            watch.close();
            assertThat(watch.childrenSeen()).anySatisfy(c -> assertThat(c).startsWith(child.pid() + " "));
            assertThat(watch.findings()).extracting(CanaryScanner.Finding::kind).contains("password");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
