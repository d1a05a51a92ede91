package dev.rollback.postgres.coordination;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between a PostgreSQL client and its server that, once {@link #arm() armed}, lets the
 * next COMMIT reach the server, swallows the server's reply to it and resets the connection on both
 * sides. The server has committed; the client only sees a broken connection: the lost
 * acknowledgement an idempotent append must survive.
 *
 * <p>The testkit's {@code FaultProxy} resets when the test says so, which cannot be timed between
 * "the server committed" and "the client heard it"; this proxy recognizes that moment in the byte
 * stream: the backend's CommandComplete message with the tag {@code COMMIT} ('C', length 11,
 * "COMMIT\0"), which the server sends only after the commit is durable.
 */
final class CommitReplyCutter implements AutoCloseable {
    private static final byte[] COMMIT_COMPLETE = commitComplete();

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger cuts = new AtomicInteger();

    private CommitReplyCutter(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "commit-reply-cutter-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free port of 127.0.0.1 to {@code host:port}. */
    static CommitReplyCutter to(String host, int port) {
        try {
            return new CommitReplyCutter(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's port on 127.0.0.1", e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The reply to the next COMMIT that passes is swallowed and its connection reset (once). */
    void arm() {
        armed.set(true);
    }

    /** How many COMMIT replies were swallowed. */
    int cuts() {
        return cuts.get();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listener that failed is fine
        }
        sockets.forEach(CommitReplyCutter::abort);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(upstream, 5000);
            } catch (IOException e) {
                abort(client);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            start(() -> pump(client, server, false));
            start(() -> pump(server, client, true));
        }
    }

    private static void start(Runnable body) {
        Thread t = new Thread(body, "commit-reply-cutter-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (fromServer && contains(buffer, n, COMMIT_COMPLETE) && armed.compareAndSet(true, false)) {
                    cuts.incrementAndGet();
                    abort(from);
                    abort(to);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            abort(from);
            abort(to);
        } catch (IOException e) {
            abort(from);
            abort(to);
        }
    }

    private static boolean contains(byte[] buffer, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** RST, not FIN: the client must see a failure, not an orderly end. */
    private static void abort(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static byte[] commitComplete() {
        byte[] tag = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[5 + tag.length];
        message[0] = 'C';
        message[4] = (byte) (4 + tag.length);
        System.arraycopy(tag, 0, message, 5, tag.length);
        return message;
    }
}
