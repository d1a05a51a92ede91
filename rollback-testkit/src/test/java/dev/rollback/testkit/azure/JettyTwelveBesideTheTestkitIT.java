package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.appservice.models.WebApp;
import com.github.tomakehurst.wiremock.WireMockServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;
import org.junit.jupiter.api.Test;

/**
 * A Spring Boot 3 application's test classpath holds Jetty 12 (its servlet container) and, with the
 * testkit, WireMock. WireMock 3 runs on Jetty 11: the plain {@code org.wiremock:wiremock} would bring
 * {@code org.eclipse.jetty:jetty-server} 11, one of the two would win, and either the application or
 * the simulator would fail at startup. The testkit depends on {@code wiremock-standalone}, whose Jetty
 * is relocated inside it; this test puts Jetty 12 (the ee10 servlet stack Spring Boot 3.5 uses) on the
 * same class path and runs both servers at once.
 */
class JettyTwelveBesideTheTestkitIT {

    @Test
    void jettyTwelveAndTheAzureSimulatorServeSideBySideInOneJvm() throws Exception {
        assertThat(Jetty.VERSION).as("the Jetty on the class path").startsWith("12.");
        assertThat(Class.forName("wiremock.org.eclipse.jetty.server.Server")
                        .getProtectionDomain()
                        .getCodeSource())
                .as("WireMock's own Jetty comes from WireMock's jar")
                .isEqualTo(WireMockServer.class.getProtectionDomain().getCodeSource());
        assertThat(Server.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toString())
                .as("the application's Jetty comes from Jetty 12's jar")
                .contains("jetty-server-12.");

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new VersionServlet()), "/version");
        jetty.setHandler(context);
        jetty.start();
        try (AzureControlPlaneSimulator azure =
                AzureControlPlaneSimulator.builder().start()) {
            azure.webApp("rg-app", "shop").serving("v41");

            AzureResourceManager arm = AzureSimulatorClients.resourceManager(azure);
            WebApp app = arm.webApps().getByResourceGroup("rg-app", "shop");
            assertThat(app.linuxFxVersion()).isEqualTo("v41");

            HttpResponse<String> version = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/version"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(version.statusCode()).isEqualTo(200);
            assertThat(version.body()).isEqualTo("jetty " + Jetty.VERSION);
            assertThat(azure.requests().all()).isNotEmpty();
        } finally {
            jetty.stop();
        }
    }

    /** What the "application" serves: the version of the Jetty it runs on. */
    private static final class VersionServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("jetty " + Jetty.VERSION);
        }
    }
}
