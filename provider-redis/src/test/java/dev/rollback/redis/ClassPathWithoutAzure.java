package dev.rollback.redis;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A class loader over this test JVM's class path minus the Azure SDK and what only it brings (the
 * jars under {@code com/azure}, {@code io/projectreactor} and {@code io/netty} in the Maven
 * repository): the class path of an application that depends on this provider and not on the SDK,
 * which is optional. Its parent is the platform loader, so every other class (the provider's, the
 * test's) is loaded again from the same files.
 */
final class ClassPathWithoutAzure {
    private static final List<String> LEFT_OUT = List.of("/com/azure/", "/io/projectreactor/", "/io/netty/");

    private ClassPathWithoutAzure() {}

    static URLClassLoader open() throws MalformedURLException {
        // Surefire and Failsafe start the test JVM with a manifest-only jar; they put the real class path here.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            if (!entry.isEmpty() && LEFT_OUT.stream().noneMatch(path::contains)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader("without-azure", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }
}
