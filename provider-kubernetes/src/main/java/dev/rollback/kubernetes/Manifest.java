package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a stable manifest comes from: a file ({@code k8s/api-deployment-stable.yaml}, as the runbook's
 * {@code kubectl apply -f}) or a class path resource shipped with the application. It is read when a
 * step uses it (preflight, execute), so a fixed file is picked up; one or more YAML or JSON documents.
 * Immutable and thread-safe; it holds the location only.
 */
public final class Manifest {
    private final Path file;
    private final String resource;
    private final ClassLoader loader;

    private Manifest(Path file, String resource, ClassLoader loader) {
        this.file = file;
        this.resource = resource;
        this.loader = loader;
    }

    /** A manifest file. */
    public static Manifest fromFile(Path file) {
        return new Manifest(Objects.requireNonNull(file, "file"), null, null);
    }

    /** A class path resource, such as {@code k8s/api-deployment-stable.yaml}, found by this library's class loader. */
    public static Manifest fromClasspath(String resource) {
        return fromClasspath(resource, Manifest.class.getClassLoader());
    }

    /** A class path resource found by {@code loader}. */
    public static Manifest fromClasspath(String resource, ClassLoader loader) {
        String name = Arguments.requireText(resource, "resource");
        return new Manifest(
                null, name.startsWith("/") ? name.substring(1) : name, Objects.requireNonNull(loader, "loader"));
    }

    /** The location, for messages: the file's path or {@code classpath:<resource>}. */
    public String source() {
        return file != null ? file.toString() : "classpath:" + resource;
    }

    /**
     * Opens it.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} naming the location if it cannot be read
     */
    InputStream open() {
        if (file != null) {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "manifest " + source() + " cannot be read ("
                                + e.getClass().getSimpleName() + ")");
            }
        }
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "manifest " + source() + " is not on the class path");
        }
        return in;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && Objects.equals(m.file, file) && Objects.equals(m.resource, resource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, resource);
    }

    @Override
    public String toString() {
        return "Manifest[" + source() + "]";
    }
}
