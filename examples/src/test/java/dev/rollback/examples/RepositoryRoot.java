package dev.rollback.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The root of the checkout the tests run in: the nearest folder upwards whose pom.xml is the parent's. */
final class RepositoryRoot {
    private RepositoryRoot() {}

    static Path find() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom)
                        && Files.readString(pom).contains("<artifactId>rollback-parent</artifactId>")
                        && Files.isDirectory(dir.resolve("rollback-api"))) {
                    return dir;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pom, e);
            }
        }
        throw new IllegalStateException(
                "no rollback-parent pom.xml above " + Path.of("").toAbsolutePath());
    }
}
