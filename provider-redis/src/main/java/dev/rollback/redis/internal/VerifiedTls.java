package dev.rollback.redis.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS of a Redis connection: a socket factory that trusts the configured root certificate(s)
 * or the JVM's default trust store, and parameters that make the handshake check the host name
 * (endpoint identification "HTTPS", as an HTTPS client does). Stateless and thread-safe.
 */
final class VerifiedTls {
    private VerifiedTls() {}

    /** Handshake parameters that refuse a certificate that does not name the host dialled. */
    static SSLParameters verifyingHostName() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    /**
     * A socket factory trusting the PEM certificates of {@code rootCertificate}, or the JVM's
     * default trust store when absent.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} naming the file if it cannot be read or
     *     holds no certificate
     */
    static SSLSocketFactory socketFactory(Optional<Path> rootCertificate) {
        if (rootCertificate.isEmpty()) {
            try {
                return SSLContext.getDefault().getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION, "the JVM has no default TLS context: " + e.getMessage(), e);
            }
        }
        Path file = rootCertificate.get();
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> roots =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (roots.isEmpty()) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION, "rootCertificate " + file + " holds no PEM certificate");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate root : roots) {
                trusted.setCertificateEntry("root-" + i++, root);
            }
            TrustManagerFactory managers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            managers.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "rootCertificate " + file + " cannot be read as PEM certificates: " + e.getMessage(),
                    e);
        }
    }
}
