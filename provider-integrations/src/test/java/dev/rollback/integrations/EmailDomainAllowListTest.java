package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailDomainAllowListTest {
    private static final EmailDomainAllowList LIST = EmailDomainAllowList.of("AuthorizedDomain.com", "advisoros.com");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice@authorizeddomain.com",
                "Alice.Smith@AuthorizedDomain.COM",
                "first.last+rollback@authorizeddomain.com",
                "o'brien@advisoros.com",
                "\"alice smith\"@authorizeddomain.com",
                "\"user@evil.com\"@authorizeddomain.com",
                "\"quote\\\"inside\"@authorizeddomain.com",
                "x@AUTHORIZEDDOMAIN.COM"
            })
    void permitsWellFormedAddressesOfTheListedDomainsWhateverTheirCase(String address) {
        assertThat(LIST.explain(address)).isEmpty();
        assertThat(LIST.permits(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "user@evil.com@authorizeddomain.com",
                "user@evilauthorizeddomain.com",
                "user@authorizeddomain.com.evil.com",
                "user@sub.authorizeddomain.com",
                "user@authorizeddomain.com.",
                "user@[192.0.2.1]",
                "user @authorizeddomain.com",
                "user@authorizeddomain.com ",
                "user\n@authorizeddomain.com",
                ".user@authorizeddomain.com",
                "user.@authorizeddomain.com",
                "us..er@authorizeddomain.com",
                "\"unterminated@authorizeddomain.com",
                "@authorizeddomain.com",
                "user@",
                "user",
                "",
                "user@authorizeddomаin.com", // a Cyrillic 'а': another domain in punycode
                "user@-authorizeddomain.com",
                "user@authorizeddomain..com"
            })
    void refusesEverythingElseAndSaysWhy(String address) {
        assertThat(LIST.permits(address)).isFalse();
        assertThat(LIST.explain(address)).isNotEmpty();
    }

    @Test
    void theRunbooksEndsWithCheckWouldHaveLetTheAttackerInAndThisDoesNot() {
        String attack = "user@evil.com@authorizedDomain.com";
        assertThat(attack.endsWith("@authorizedDomain.com")).isTrue();
        assertThat(LIST.explain(attack)).contains("not a valid address").contains("which no host name may");
        assertThat(LIST.permits(null)).isFalse();
    }

    @Test
    void subdomainsArePermittedOnlyWhenAskedAndOnlyRealSubdomains() {
        EmailDomainAllowList withSubs = LIST.includingSubdomains();
        assertThat(withSubs.permits("user@eu.authorizeddomain.com")).isTrue();
        assertThat(withSubs.permits("user@evilauthorizeddomain.com")).isFalse();
        assertThat(LIST.explain("user@eu.authorizeddomain.com"))
                .isEqualTo("domain 'eu.authorizeddomain.com' is not on the allow-list");
    }

    @Test
    void theConfigTextRoundTrips() {
        EmailDomainAllowList withSubs = LIST.includingSubdomains();
        assertThat(EmailDomainAllowList.parse(LIST.toConfig())).isEqualTo(LIST);
        assertThat(EmailDomainAllowList.parse(withSubs.toConfig())).isEqualTo(withSubs);
        assertThat(LIST.toConfig()).contains("advisoros.com\nauthorizeddomain.com\n");
        assertThat(LIST.domains()).containsExactlyInAnyOrder("authorizeddomain.com", "advisoros.com");
    }

    @Test
    void internationalizedDomainsAreComparedAsPunycode() {
        EmailDomainAllowList idn = EmailDomainAllowList.of("bücher.example");
        assertThat(idn.domains()).containsExactly("xn--bcher-kva.example");
        assertThat(idn.permits("kunde@BÜCHER.example")).isTrue();
        assertThat(idn.permits("kunde@xn--bcher-kva.example")).isTrue();
    }

    @Test
    void badEntriesAreRefusedNamingThem() {
        assertThatThrownBy(() -> EmailDomainAllowList.of("authorizeddomain.com", "evil.com@x.com"))
                .hasMessageContaining("domain 'evil.com@x.com' is not a host name");
        assertThatThrownBy(() -> EmailDomainAllowList.of("localhost")).hasMessageContaining("has no dot");
        assertThatThrownBy(EmailDomainAllowList::of).hasMessageContaining("at least one domain");
        assertThatThrownBy(() -> EmailDomainAllowList.parse("# nothing\n\nnot a domain\n"))
                .hasMessageContaining("line 3 of the allow-list");
    }
}
