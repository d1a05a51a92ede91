package dev.rollback.integrations;

import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.EmailAddresses;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The emergency sign-in rule of the runbook's authentication rollback, "only addresses of the
 * authorized domains", done properly. The runbook's {@code user.email.endsWith('@authorizedDomain.com')}
 * lets {@code user@evil.com@authorizedDomain.com} in (an address no mail server would deliver to
 * {@code authorizedDomain.com}, but an identity provider may still hand over) and refuses
 * {@code user@AuthorizedDomain.COM}. Here the address is parsed as an RFC 5322 {@code addr-spec}
 * (see below) and its domain compared exactly, case-insensitively, with the list:
 *
 * <ul>
 *   <li>{@code alice@authorizeddomain.com}, {@code Alice@AuthorizedDomain.COM},
 *       {@code "alice smith"@authorizeddomain.com}, {@code "a@b"@authorizeddomain.com} (a quoted local
 *       part may hold an {@code @}): permitted;</li>
 *   <li>{@code user@evil.com@authorizeddomain.com} (an {@code @} outside quotes),
 *       {@code user@evilauthorizeddomain.com}, {@code user@authorizeddomain.com.evil.com},
 *       {@code user@sub.authorizeddomain.com} (unless {@link #includingSubdomains()}),
 *       {@code user@authorizeddomain.com.} (a trailing dot), an address literal, white space, a
 *       look-alike Unicode domain (compared as punycode): refused, with the reason from
 *       {@link #explain(String)}.</li>
 * </ul>
 *
 * <p>{@link #toConfig()} writes the list as text (one domain a line, {@code #} comments, a
 * {@code subdomains=true} line when subdomains are allowed), {@link #parse(String)} reads it back:
 * the {@code AuthenticationRollback} publishes it to the application's configuration store, and the
 * application's sign-in code loads it and calls {@link #permits(String)}. Immutable and thread-safe.
 */
public final class EmailDomainAllowList {
    private static final String SUBDOMAINS = "subdomains=true";

    private final Set<String> domains;
    private final boolean subdomains;

    private EmailDomainAllowList(Set<String> domains, boolean subdomains) {
        this.domains = Set.copyOf(domains);
        this.subdomains = subdomains;
    }

    /**
     * A list of host names ({@code authorizeddomain.com}); case and Unicode forms are normalized.
     *
     * @throws IllegalArgumentException naming the first entry that is not a host name
     */
    public static EmailDomainAllowList of(String... domains) {
        Objects.requireNonNull(domains, "domains");
        Set<String> normalized = new LinkedHashSet<>();
        for (String d : domains) {
            EmailAddresses.Parsed p = EmailAddresses.domain(Objects.requireNonNull(d, "domain"));
            if (!p.valid()) {
                throw new IllegalArgumentException(
                        "domain '" + Arguments.printable(d) + "' is not a host name: " + p.refusal());
            }
            normalized.add(p.domain());
        }
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("domains must hold at least one domain, but was empty");
        }
        return new EmailDomainAllowList(normalized, false);
    }

    /** This list, also permitting every subdomain of its domains ({@code user@eu.authorizeddomain.com}). */
    public EmailDomainAllowList includingSubdomains() {
        return new EmailDomainAllowList(domains, true);
    }

    /**
     * Reads a list written by {@link #toConfig()}.
     *
     * @throws IllegalArgumentException naming the line that is not a host name, or for a list with none
     */
    public static EmailDomainAllowList parse(String config) {
        Objects.requireNonNull(config, "config");
        List<String> entries = new ArrayList<>();
        boolean sub = false;
        String[] lines = config.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.equals(SUBDOMAINS)) {
                sub = true;
                continue;
            }
            EmailAddresses.Parsed p = EmailAddresses.domain(line);
            if (!p.valid()) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the allow-list, '"
                        + Arguments.printable(line) + "', is not a host name: " + p.refusal());
            }
            entries.add(line);
        }
        EmailDomainAllowList list = of(entries.toArray(new String[0]));
        return sub ? list.includingSubdomains() : list;
    }

    /**
     * Reads a list written by {@link #toConfig()}, or empty when the text names no domain (only
     * comments: the application's "no restriction" outside emergencies).
     *
     * @throws IllegalArgumentException naming the line that is not a host name
     */
    public static Optional<EmailDomainAllowList> parseOptional(String config) {
        Objects.requireNonNull(config, "config");
        boolean any = config.lines()
                .map(String::strip)
                .anyMatch(l -> !l.isEmpty() && !l.startsWith("#") && !l.equals(SUBDOMAINS));
        return any ? Optional.of(parse(config)) : Optional.empty();
    }

    /** The domains, in lower-case ASCII. */
    public Set<String> domains() {
        return domains;
    }

    /** Whether subdomains are permitted too. */
    public boolean subdomainsPermitted() {
        return subdomains;
    }

    /** Whether {@code address} is a well-formed address of a permitted domain. Null is refused. */
    public boolean permits(String address) {
        return explain(address).isEmpty();
    }

    /** Why {@code address} is refused, or the empty string when it is permitted. */
    public String explain(String address) {
        EmailAddresses.Parsed p = EmailAddresses.parse(address);
        if (!p.valid()) {
            return "not a valid address: " + p.refusal();
        }
        if (domains.contains(p.domain())) {
            return "";
        }
        if (subdomains) {
            for (String d : domains) {
                if (p.domain().endsWith("." + d)) {
                    return "";
                }
            }
        }
        return "domain '" + p.domain() + "' is not on the allow-list";
    }

    /** The list as text, one domain a line, sorted; {@link #parse(String)} reads it back. */
    public String toConfig() {
        StringBuilder sb = new StringBuilder("# emergency sign-in allow-list: email domains, one a line\n");
        if (subdomains) {
            sb.append(SUBDOMAINS).append('\n');
        }
        domains.stream().sorted().forEach(d -> sb.append(d).append('\n'));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmailDomainAllowList l && l.domains.equals(domains) && l.subdomains == subdomains;
    }

    @Override
    public int hashCode() {
        return Objects.hash(domains, subdomains);
    }

    @Override
    public String toString() {
        return "EmailDomainAllowList" + domains.stream().sorted().toList() + (subdomains ? " and subdomains" : "");
    }
}
