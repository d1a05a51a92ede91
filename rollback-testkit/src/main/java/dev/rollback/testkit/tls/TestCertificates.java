package dev.rollback.testkit.tls;

import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Folders;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: a new root (EC P-256, valid for a day) made by the
 * test run itself, which issues server certificates for the host names and addresses a test
 * chooses ({@link #issue(String...)}): {@code issue("localhost", "127.0.0.1")} for a server the
 * client must accept, {@code issue("wrong.example")} for one it must refuse as the wrong host.
 * Certificates are built with BouncyCastle and written as PEM files into a private temporary folder
 * (0700; private keys 0600), where a server (PostgreSQL's {@code ssl_cert_file}) and a client
 * ({@code sslrootcert}, a Redis endpoint's root certificate) read them.
 *
 * <pre>{@code
 * try (TestCertificates ca = TestCertificates.create()) {
 *     ServerCertificate right = ca.issue("localhost", "127.0.0.1");
 *     PostgresServer server = PostgresServer.builder().tls(right).build();
 *     // client: sslmode=verify-full, sslrootcert=ca.rootCertificateFile()
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} deletes the folder (servers that copied the files keep their
 * copies); it is also closed at JVM exit. It never writes outside its folder and never installs its
 * root into a trust store of the machine or the JVM.
 */
public final class TestCertificates implements AutoCloseable {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration VALIDITY = Duration.ofDays(1);

    private final SecureRandom random = new SecureRandom();
    private final KeyPair rootKeys;
    private final X509Certificate root;
    private final Path folder;
    private final Path rootFile;
    private final AtomicInteger issued = new AtomicInteger();
    private final Instant notBefore = Instant.now().minus(Duration.ofHours(1));

    private TestCertificates(String name) throws GeneralSecurityException, IOException, OperatorCreationException {
        this.rootKeys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        subject,
                        serial(),
                        Date.from(notBefore),
                        Date.from(notBefore.plus(VALIDITY)),
                        subject,
                        rootKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(
                        Extension.subjectKeyIdentifier,
                        false,
                        extensions.createSubjectKeyIdentifier(rootKeys.getPublic()));
        this.root = sign(builder, rootKeys.getPrivate());
        this.folder = Folders.createTemp("rollback-tls-");
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        this.rootFile = write(folder.resolve("root.crt"), pem(root), false);
        Cleanup.register(this);
    }

    /**
     * A new certificate authority named "rollback test CA" and a random suffix, its root
     * certificate written to {@link #rootCertificateFile()}.
     */
    public static TestCertificates create() {
        try {
            return new TestCertificates("rollback test CA " + UUID.randomUUID());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the test certificate authority: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test certificate authority's root", e);
        }
    }

    /** The root certificate: the one a client must trust for the issued certificates to pass. */
    public X509Certificate rootCertificate() {
        return root;
    }

    /** The root certificate as a PEM file (what {@code sslrootcert} or a root-certificate option reads). */
    public Path rootCertificateFile() {
        return rootFile;
    }

    /**
     * A server certificate for {@code names}, signed by this authority. Each name that is an IPv4
     * literal becomes an IP-address subject alternative name, every other a DNS name; the first is
     * also the subject's common name. The certificate is for TLS servers only (extended key usage
     * serverAuth) and valid for a day.
     *
     * @param names at least one host name or IPv4 address
     * @throws IllegalArgumentException if no name is given or one is blank
     */
    public ServerCertificate issue(String... names) {
        Objects.requireNonNull(names, "names");
        List<String> hosts = List.copyOf(Arrays.asList(names));
        if (hosts.isEmpty() || hosts.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("names must hold at least one host name, none blank, but was " + hosts);
        }
        try {
            KeyPair keys = newKeyPair();
            List<GeneralName> alternatives = new ArrayList<>();
            for (String host : hosts) {
                alternatives.add(
                        IPV4.matcher(host).matches()
                                ? new GeneralName(GeneralName.iPAddress, host)
                                : new GeneralName(GeneralName.dNSName, host));
            }
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            root,
                            serial(),
                            Date.from(notBefore),
                            Date.from(notBefore.plus(VALIDITY)),
                            new X500Name("CN=" + hosts.get(0)),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(alternatives.toArray(GeneralName[]::new)))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(root));
            X509Certificate certificate = sign(builder, rootKeys.getPrivate());
            String stem = "server-" + issued.incrementAndGet();
            Path certificateFile = write(folder.resolve(stem + ".crt"), pem(certificate), false);
            Path keyFile = write(folder.resolve(stem + ".key"), pem(keys.getPrivate()), true);
            return new ServerCertificate(hosts, certificate, keys.getPrivate(), root, certificateFile, keyFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + hosts + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test certificate for " + hosts + " to " + folder, e);
        }
    }

    /** Deletes the folder with the PEM files. */
    @Override
    public void close() {
        Folders.deleteRecursively(folder);
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return "TestCertificates[" + root.getSubjectX500Principal().getName() + ", " + folder + "]";
    }

    private BigInteger serial() {
        return new BigInteger(64, random).add(BigInteger.ONE);
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return text.toString();
    }

    private static Path write(Path file, String text, boolean secret) throws IOException {
        Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        return Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
