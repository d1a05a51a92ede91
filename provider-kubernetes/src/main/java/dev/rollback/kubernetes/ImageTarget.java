package dev.rollback.kubernetes;

import dev.rollback.kubernetes.internal.Names;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an {@link ImageRollbackStep} takes a Deployment: its previous revision (what
 * {@code kubectl rollout undo} does), a given revision of its history ({@code --to-revision}), or a
 * named image for one container ({@code kubectl set image}). Immutable and thread-safe.
 */
public final class ImageTarget {

    /** The kinds of target. */
    public enum Kind {
        /** The newest revision of the history whose template differs from the running one. */
        PREVIOUS_REVISION,
        /** A given revision of the history. */
        REVISION,
        /** A named image for one container, the rest of the template kept. */
        IMAGE
    }

    private final Kind kind;
    private final long revision;
    private final String image;

    private ImageTarget(Kind kind, long revision, String image) {
        this.kind = kind;
        this.revision = revision;
        this.image = image;
    }

    /** The previous revision, read from the Deployment's ReplicaSets, as {@code kubectl rollout undo} picks it. */
    public static ImageTarget previousRevision() {
        return new ImageTarget(Kind.PREVIOUS_REVISION, 0, null);
    }

    /**
     * A given revision of the history.
     *
     * @param revision 1 or more, a {@code deployment.kubernetes.io/revision} of one of its ReplicaSets
     */
    public static ImageTarget revision(long revision) {
        if (revision < 1) {
            throw new IllegalArgumentException("revision must be 1 or more, but was " + revision);
        }
        return new ImageTarget(Kind.REVISION, revision, null);
    }

    /**
     * A named image, such as {@code advisoros/web-app:stable-previous}, for the container the step
     * names (or the only one).
     */
    public static ImageTarget image(String image) {
        return new ImageTarget(Kind.IMAGE, 0, Names.image(image, "image"));
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The revision, for {@link Kind#REVISION}. */
    public Optional<Long> revision() {
        return kind == Kind.REVISION ? Optional.of(revision) : Optional.empty();
    }

    /** The image, for {@link Kind#IMAGE}. */
    public Optional<String> image() {
        return Optional.ofNullable(image);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTarget t && t.kind == kind && t.revision == revision && Objects.equals(t.image, image);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, revision, image);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PREVIOUS_REVISION -> "previous revision";
            case REVISION -> "revision " + revision;
            case IMAGE -> "image " + image;
        };
    }
}
