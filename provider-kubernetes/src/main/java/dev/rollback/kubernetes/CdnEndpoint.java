package dev.rollback.kubernetes;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An endpoint whose cached static assets a {@link CdnPurgeStep} purges: a classic Azure CDN endpoint
 * ({@code Microsoft.Cdn/profiles/{profile}/endpoints/{endpoint}}) or an Azure Front Door
 * Standard/Premium endpoint ({@code Microsoft.Cdn/profiles/{profile}/afdEndpoints/{endpoint}}).
 * Immutable.
 *
 * @param kind which of the two
 * @param resourceGroup the profile's resource group
 * @param profile the CDN or Front Door profile
 * @param endpoint the endpoint
 */
public record CdnEndpoint(Kind kind, String resourceGroup, String profile, String endpoint) {
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,258}[A-Za-z0-9])?");

    /** The two kinds of endpoint. */
    public enum Kind {
        /** A classic Azure CDN endpoint. */
        CDN,
        /** An Azure Front Door Standard/Premium endpoint. */
        FRONT_DOOR
    }

    /** Validates: Azure's naming rules, each refusal naming the field and the value. */
    public CdnEndpoint {
        Objects.requireNonNull(kind, "kind");
        check(RESOURCE_GROUP, resourceGroup, "resourceGroup");
        if (resourceGroup.endsWith(".")) {
            throw new IllegalArgumentException("resourceGroup must not end in '.', but was '" + resourceGroup + "'");
        }
        check(NAME, profile, "profile");
        check(NAME, endpoint, "endpoint");
    }

    /** A classic Azure CDN endpoint. */
    public static CdnEndpoint cdn(String resourceGroup, String profile, String endpoint) {
        return new CdnEndpoint(Kind.CDN, resourceGroup, profile, endpoint);
    }

    /** An Azure Front Door Standard/Premium endpoint. */
    public static CdnEndpoint frontDoor(String resourceGroup, String profile, String endpoint) {
        return new CdnEndpoint(Kind.FRONT_DOOR, resourceGroup, profile, endpoint);
    }

    private static void check(Pattern pattern, String value, String field) {
        Objects.requireNonNull(value, field);
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be letters, digits and '-' (a resource group also"
                    + " '_', '.', '(', ')'), but was '" + Arguments.printable(value) + "'");
        }
    }

    @Override
    public String toString() {
        return (kind == Kind.CDN ? "CDN endpoint " : "Front Door endpoint ") + resourceGroup + "/" + profile + "/"
                + endpoint;
    }
}
