package dev.rollback.testkit.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server certificate issued by a {@link TestCertificates} authority, with its private key: the
 * names it is valid for, the certificate and key as objects and as PEM files (the key file 0600),
 * and a server-side {@link SSLContext} that presents it. Immutable and thread-safe.
 */
public final class ServerCertificate {
    private final List<String> names;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final X509Certificate root;
    private final Path certificateFile;
    private final Path privateKeyFile;

    ServerCertificate(
            List<String> names,
            X509Certificate certificate,
            PrivateKey privateKey,
            X509Certificate root,
            Path certificateFile,
            Path privateKeyFile) {
        this.names = List.copyOf(names);
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.root = root;
        this.certificateFile = certificateFile;
        this.privateKeyFile = privateKeyFile;
    }

    /** The host names and addresses it is valid for (its subject alternative names), in the order given. */
    public List<String> names() {
        return names;
    }

    /** The certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate as a PEM file. */
    public Path certificateFile() {
        return certificateFile;
    }

    /** The private key as an unencrypted PKCS#8 PEM file, mode 0600. Test material only. */
    public Path privateKeyFile() {
        return privateKeyFile;
    }

    /** A TLS context for a server socket that presents this certificate (and its root) to clients. */
    public SSLContext serverContext() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] none = "in-memory".toCharArray();
            keys.setKeyEntry("server", privateKey, none, new Certificate[] {certificate, root});
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context for " + this + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A TLS context for a client that trusts this certificate's root only (and, as any JSSE client
     * socket, checks no host name unless told to).
     */
    public SSLContext clientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("root", root);
            TrustManagerFactory managers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            managers.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting " + this + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "ServerCertificate" + names;
    }
}
