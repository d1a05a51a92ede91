package dev.rollback.testkit.fault;

import dev.rollback.testkit.internal.Cleanup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small TCP proxy on 127.0.0.1 that sits between a client and a server (PostgreSQL, Redis) and
 * injects network faults on demand, as Toxiproxy does:
 * <ul>
 *   <li>{@link #resetConnections()}: every open connection is reset (RST) on both sides, now;</li>
 *   <li>{@link #blackhole()}: bytes in both directions are read and dropped, and so is a side's close or
 *       reset: the other side sees silence, as from a host that died without closing its sockets;
 *       connections stay open;</li>
 *   <li>{@link #freeze()}: bytes in both directions are held, then delivered on {@link #heal()};</li>
 *   <li>{@link #latency(Duration)}: every chunk is delayed in both directions;</li>
 *   <li>{@link #heal()}: back to passing bytes through (latency kept until set to zero).</li>
 * </ul>
 * New connections are accepted in every mode and get the current fault. Two threads per
 * connection copy the bytes. Thread-safe; closed at JVM exit if the test does not close it.
 */
public final class FaultProxy implements AutoCloseable {
    private enum Mode {
        PASS,
        BLACKHOLE,
        FREEZE
    }

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile Mode mode = Mode.PASS;
    private volatile Duration latency = Duration.ZERO;

    private FaultProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        Cleanup.register(this);
    }

    /** Starts a proxy on a free port of 127.0.0.1 that forwards to {@code host:port}. */
    public static FaultProxy start(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, but was " + port);
        }
        try {
            return new FaultProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fault proxy's port on 127.0.0.1", e);
        }
    }

    /** The proxy's host: {@code 127.0.0.1}. Point the client here instead of at the server. */
    public String host() {
        return "127.0.0.1";
    }

    /** The proxy's port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Resets every open connection (both sides see a reset); new connections are still accepted. */
    public void resetConnections() {
        for (Socket socket : sockets) {
            abort(socket);
        }
    }

    /**
     * Drops every byte in both directions from now on, keeping the connections open: a side that closes
     * or resets its connection meanwhile is not seen by the other side either (a silent, half-open peer).
     */
    public void blackhole() {
        setMode(Mode.BLACKHOLE);
    }

    /** Holds every byte in both directions from now on; {@link #heal()} delivers them. */
    public void freeze() {
        setMode(Mode.FREEZE);
    }

    /** Delays every chunk of bytes by {@code delay} in both directions; zero for none. */
    public void latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, but was " + delay);
        }
        latency = delay;
    }

    /** Passes bytes through again (held bytes are delivered; latency stays as set). */
    public void heal() {
        setMode(Mode.PASS);
    }

    /** How many connections (counting each side) are open through the proxy. */
    public int openSockets() {
        return sockets.size();
    }

    /** Stops accepting and resets every connection. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listener that failed is fine
        }
        resetConnections();
        heal();
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return "FaultProxy[127.0.0.1:" + port() + " -> " + upstream + ", " + mode + ", latency " + latency + "]";
    }

    private void setMode(Mode newMode) {
        synchronized (gate) {
            mode = newMode;
            gate.notifyAll();
        }
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
                abort(server);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            startPump(client, server, "up");
            startPump(server, client, "down");
        }
    }

    private void startPump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> pump(from, to), "fault-proxy-" + port() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!awaitPassage()) {
                    continue;
                }
                Duration delay = latency;
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            if (!awaitPassage()) {
                return; // blackholed: the other side never learns that this one closed
            }
            to.shutdownOutput();
            if (from.isOutputShutdown()) {
                abort(from);
                abort(to);
            }
        } catch (IOException e) {
            abort(from);
            if (mode != Mode.BLACKHOLE) {
                abort(to); // blackholed: the other side never learns of the reset
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(from);
            abort(to);
        }
    }

    /** Blocks while frozen; false when the bytes must be dropped (blackhole). */
    private boolean awaitPassage() throws InterruptedException {
        synchronized (gate) {
            while (mode == Mode.FREEZE) {
                gate.wait();
            }
            return mode == Mode.PASS;
        }
    }

    private void abort(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
        sockets.remove(socket);
    }
}
