package dev.rollback.api.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.util.Objects;

/**
 * Checks that an optional dependency is on the class path before the code that needs it runs, so
 * that its absence is an error naming the artifact to add instead of a {@code NoClassDefFoundError}
 * naming a class. A provider declares a vendor SDK {@code <optional>} when only some of its steps use
 * it (the Azure steps of provider-postgres and provider-redis) and calls {@link #require} in the
 * static initializer of the one class that touches the SDK. Stateless and thread-safe.
 */
public final class OptionalDependencies {
    private OptionalDependencies() {}

    /**
     * Does nothing when every class is visible to {@code user}'s class loader; otherwise throws.
     *
     * @param user the class that needs the dependency (its loader is asked)
     * @param feature what needs it, in words ("The Azure Cache for Redis force reboot")
     * @param artifacts the Maven coordinates to add, {@code groupId:artifactId:version}, comma-separated
     * @param classNames classes the feature uses, at least one from each artifact
     * @throws RollbackException {@link ErrorCode#INVALID_CONFIGURATION}, naming the feature, the
     *     artifacts to add and the first missing class
     */
    public static void require(Class<?> user, String feature, String artifacts, String... classNames) {
        Objects.requireNonNull(user, "user");
        ClassLoader loader = user.getClassLoader();
        for (String name : classNames) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        feature + " needs " + artifacts + ", an optional dependency of its module"
                                + " (applications that do not use it do not get it): add it to your"
                                + " dependencies (missing class " + name + ")");
            }
        }
    }
}
