package dev.rollback.testkit.tls;

import dev.rollback.testkit.internal.Cleanup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS-terminating forwarder, as stunnel is: a real TLS server socket on a free port of 127.0.0.1
 * that presents a {@link ServerCertificate} and passes the decrypted bytes of each connection to a
 * plain TCP server ({@code host:port}), and the answers back. It puts TLS in front of a server that
 * has none (the testkit's Redis binary), so that a client's certificate and host-name checks can be
 * tested against the real server behind it.
 *
 * <p>Each accepted connection does its TLS handshake on its own thread (a client that refuses the
 * certificate never holds up the next) and then gets two threads copying bytes; a connection whose
 * handshake fails is counted ({@link #failedHandshakes()}) and closed without opening one to the
 * server. Thread-safe; closed at JVM exit if the test does not close it. It never binds another
 * address than 127.0.0.1 and never asks the client for a certificate.
 */
public final class TlsForwarder implements AutoCloseable {
    private final InetSocketAddress upstream;
    private final SSLServerSocket listener;
    private final ServerCertificate certificate;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();

    private TlsForwarder(ServerCertificate certificate, InetSocketAddress upstream) throws IOException {
        this.certificate = certificate;
        this.upstream = upstream;
        ServerSocket socket = certificate
                .serverContext()
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.listener = (SSLServerSocket) socket;
        listener.setNeedClientAuth(false);
        Thread acceptor = new Thread(this::acceptLoop, "tls-forwarder-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        Cleanup.register(this);
    }

    /**
     * Starts a forwarder on a free port of 127.0.0.1 that presents {@code certificate} and forwards
     * to the plain TCP server at {@code host:port}.
     */
    public static TlsForwarder start(ServerCertificate certificate, String host, int port) {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, but was " + port);
        }
        try {
            return new TlsForwarder(certificate, new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the TLS forwarder's port on 127.0.0.1", e);
        }
    }

    /** The forwarder's address: {@code 127.0.0.1}. Point the TLS client here. */
    public String host() {
        return "127.0.0.1";
    }

    /** The forwarder's port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The certificate it presents. */
    public ServerCertificate certificate() {
        return certificate;
    }

    /** How many connections failed their TLS handshake (a client that refused the certificate, say). */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    /** How many connections completed their handshake and were passed on to the server. */
    public int forwardedConnections() {
        return forwarded.get();
    }

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listener that failed is fine
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return "TlsForwarder[127.0.0.1:" + port() + " (TLS, " + certificate + ") -> " + upstream + "]";
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            Thread t = new Thread(() -> serve((SSLSocket) client), "tls-forwarder-" + port() + "-handshake");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SSLSocket client) {
        try {
            client.setSoTimeout(10_000);
            client.startHandshake();
            client.setSoTimeout(0);
        } catch (IOException e) {
            failedHandshakes.incrementAndGet();
            closeQuietly(client);
            return;
        }
        Socket server = new Socket();
        try {
            server.connect(upstream, 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        forwarded.incrementAndGet();
        sockets.add(server);
        Thread up = new Thread(() -> pump(client, server), "tls-forwarder-" + port() + "-up");
        up.setDaemon(true);
        up.start();
        pump(server, client);
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // a side went away; close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.remove(socket);
    }
}
