package dev.rollback.testkit.azure;

import java.util.Objects;

/**
 * One traffic-routing rule of a simulated web app: {@code reroutePercentage} percent of production
 * traffic goes to the slot at {@code actionHostName}. The rules live on the production slot's site
 * config ({@code siteConfig.experiments.rampUpRules}); production keeps 100 minus their sum.
 *
 * @param name the rule's name, by convention the slot's name
 * @param actionHostName the host name of the slot that receives the traffic
 * @param reroutePercentage the share of traffic, 0 to 100
 */
public record RampUpRule(String name, String actionHostName, double reroutePercentage) {

    /**
     * Checks the rule.
     *
     * @throws IllegalArgumentException if {@code reroutePercentage} is outside 0..100
     */
    public RampUpRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(actionHostName, "actionHostName");
        if (!(reroutePercentage >= 0 && reroutePercentage <= 100)) {
            throw new IllegalArgumentException("reroutePercentage must be 0..100, was " + reroutePercentage);
        }
    }
}
