package dev.rollback.testkit;

import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives a test class a running {@link TestServer}. Register it in a
 * static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();
 *
 * @Test
 * void readsTheVersion() throws Exception {
 *     try (Connection c = POSTGRES.server().connect()) { ... }
 * }
 * }</pre>
 *
 * <p>A {@link #perClass(Class, Supplier) per-class} extension starts a new server before the
 * class's first test and closes it after its last; a {@link #shared(Class, Supplier) shared} one
 * hands every class the same JVM-wide server, closed when the JVM exits. Either way, a test that
 * stopped the server finds it running again in the next test. Test methods may also declare a
 * parameter of the server's type. Not for concurrent use by parallel test classes.
 *
 * @param <S> the server type
 */
public final class ServerExtension<S extends TestServer>
        implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

    private final Class<S> type;
    private final Supplier<S> factory;
    private final boolean owned;
    private volatile S server;

    private ServerExtension(Class<S> type, Supplier<S> factory, boolean owned) {
        this.type = Objects.requireNonNull(type, "type");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.owned = owned;
    }

    /** An extension that builds a server with {@code factory} for each test class and closes it afterwards. */
    public static <S extends TestServer> ServerExtension<S> perClass(Class<S> type, Supplier<S> factory) {
        return new ServerExtension<>(type, factory, true);
    }

    /**
     * An extension that uses the JVM-wide server {@code sharedServer} returns and never closes it
     * (its shutdown hook does).
     */
    public static <S extends TestServer> ServerExtension<S> shared(Class<S> type, Supplier<S> sharedServer) {
        return new ServerExtension<>(type, sharedServer, false);
    }

    /**
     * The running server.
     *
     * @throws IllegalStateException outside the test class's lifecycle, or if the extension was not
     *     registered in a static field
     */
    public S server() {
        S current = server;
        if (current == null) {
            throw new IllegalStateException("the " + type.getSimpleName() + " is not started: register the "
                    + "ServerExtension with @RegisterExtension on a static field and use it inside tests");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        S created = factory.get();
        created.start();
        server = created;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        S current = server;
        server = null;
        if (owned && current != null) {
            current.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }
}
