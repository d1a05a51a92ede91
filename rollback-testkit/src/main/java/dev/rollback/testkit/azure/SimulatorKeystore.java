package dev.rollback.testkit.azure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The simulator's TLS identity: a self-signed certificate for {@code localhost} and
 * {@code 127.0.0.1}, made once per JVM by the JDK's {@code keytool} into a temporary PKCS12
 * keystore that is deleted when the JVM exits. Thread-safe (initialized by the class loader).
 */
final class SimulatorKeystore {

    /** The loopback address the simulator listens on and its URLs use; the certificate names it. */
    static final String HOST = "127.0.0.1";

    private static final String ALIAS = "rollback-azure-simulator";
    private static final String PASSWORD = "rollback-simulator";
    private static final SimulatorKeystore INSTANCE = create();

    private final Path path;
    private final X509Certificate certificate;

    private SimulatorKeystore(Path path, X509Certificate certificate) {
        this.path = path;
        this.certificate = certificate;
    }

    static SimulatorKeystore get() {
        return INSTANCE;
    }

    Path path() {
        return path;
    }

    String password() {
        return PASSWORD;
    }

    X509Certificate certificate() {
        return certificate;
    }

    private static SimulatorKeystore create() {
        try {
            Path dir = Files.createTempDirectory("rollback-azure-simulator");
            Path keystore = dir.resolve("simulator.p12");
            dir.toFile().deleteOnExit();
            keystore.toFile().deleteOnExit();
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> command = List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    ALIAS,
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "30",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost,ip:" + HOST,
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    keystore.toString(),
                    "-storepass",
                    PASSWORD,
                    "-keypass",
                    PASSWORD);
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool could not make the Azure simulator's certificate (" + keytool
                        + "): " + output.strip());
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            return new SimulatorKeystore(keystore, (X509Certificate) store.getCertificate(ALIAS));
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the Azure simulator's keystore", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not read the Azure simulator's keystore", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the Azure simulator's keystore", e);
        }
    }
}
