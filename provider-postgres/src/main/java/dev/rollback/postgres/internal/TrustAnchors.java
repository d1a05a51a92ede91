package dev.rollback.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The root certificates of the JVM's default trust store as one PEM text, for the PostgreSQL tools
 * ({@code PGSSLROOTCERT}) when an endpoint verifies the server without a root certificate of its
 * own: libpq then trusts exactly what the JDBC driver trusts. Read once per JVM; thread-safe.
 */
final class TrustAnchors {
    private TrustAnchors() {}

    /** The PEM text of every trusted root certificate of the JVM's default trust store. */
    static String defaultTrustStorePem() {
        return Holder.PEM;
    }

    private static String readDefaultTrustStore() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            StringBuilder pem = new StringBuilder();
            Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate root : x509.getAcceptedIssuers()) {
                        pem.append("-----BEGIN CERTIFICATE-----\n")
                                .append(base64.encodeToString(root.getEncoded()))
                                .append("\n-----END CERTIFICATE-----\n");
                    }
                }
            }
            return pem.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JVM's default trust store: " + e.getMessage(), e);
        }
    }

    /** Lazy, thread-safe by class initialization. */
    private static final class Holder {
        static final String PEM = readDefaultTrustStore();
    }
}
