package dev.rollback.testkit.azure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A web app ({@code Microsoft.Web/sites}) in the {@link AzureControlPlaneSimulator}, with its
 * production slot and deployment slots, and the traffic-routing rules that send part of production
 * traffic to a slot.
 *
 * <p>Seed it fluently ({@code simulator.webApp("rg", "shop").serving("v42").slot("staging")
 * .serving("v41")}); inspect it after the SDK acted ({@code slot("staging").content()},
 * {@link #rampUpRules()}). Methods that take the production slot's part ({@link #serving},
 * {@link #state}) are shorthands for {@code production().serving(...)}. Thread-safe: every access
 * holds the simulator's lock.
 */
public final class SimulatedWebApp {

    /** The name of the production slot in swap requests. */
    static final String PRODUCTION = "production";

    private final Object lock;
    private final String resourceGroup;
    private final String name;
    private final Map<String, SimulatedSlot> slots = new LinkedHashMap<>();
    private final List<RampUpRule> rampUpRules = new ArrayList<>();
    private String location = AzureControlPlaneSimulator.DEFAULT_LOCATION;

    SimulatedWebApp(Object lock, String resourceGroup, String name) {
        this.lock = lock;
        this.resourceGroup = resourceGroup;
        this.name = name;
        slots.put(PRODUCTION, new SimulatedSlot(lock, this, PRODUCTION));
    }

    /**
     * The resource group.
     *
     * @return the resource group's name
     */
    public String resourceGroup() {
        return resourceGroup;
    }

    /**
     * The web app's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Seeds the region.
     *
     * @param location e.g. {@code westeurope} (the default)
     * @return this web app
     */
    public SimulatedWebApp location(String location) {
        Objects.requireNonNull(location, "location");
        synchronized (lock) {
            this.location = location;
        }
        return this;
    }

    /**
     * The region.
     *
     * @return e.g. {@code westeurope}
     */
    public String location() {
        synchronized (lock) {
            return location;
        }
    }

    /**
     * The production slot.
     *
     * @return the production slot
     */
    public SimulatedSlot production() {
        synchronized (lock) {
            return slots.get(PRODUCTION);
        }
    }

    /**
     * The deployment slot of that name, created (running, serving nothing) if it does not exist.
     *
     * @param slot the slot's name; {@code production} is the production slot
     * @return the slot
     */
    public SimulatedSlot slot(String slot) {
        Objects.requireNonNull(slot, "slot");
        synchronized (lock) {
            return slots.computeIfAbsent(slot, s -> new SimulatedSlot(lock, this, s));
        }
    }

    /**
     * Seeds what the production slot serves; same as {@code production().serving(content)}.
     *
     * @param content a marker of the deployed version
     * @return this web app
     */
    public SimulatedWebApp serving(String content) {
        production().serving(content);
        return this;
    }

    /**
     * Seeds the production slot's state; same as {@code production().state(state)}.
     *
     * @param state {@code Running} or {@code Stopped}
     * @return this web app
     */
    public SimulatedWebApp state(String state) {
        production().state(state);
        return this;
    }

    /**
     * Seeds a traffic-routing rule sending {@code percent} of production traffic to {@code slot},
     * replacing any rule of that name.
     *
     * @param slot the slot that receives the traffic; it is created if needed
     * @param percent the share, 0 to 100
     * @return this web app
     */
    public SimulatedWebApp routeTraffic(String slot, double percent) {
        RampUpRule rule = new RampUpRule(slot, slot(slot).defaultHostName(), percent);
        synchronized (lock) {
            rampUpRules.removeIf(r -> r.name().equals(slot));
            rampUpRules.add(rule);
        }
        return this;
    }

    /**
     * The traffic-routing rules now in force, in the order they were set.
     *
     * @return a copy of the rules; empty when all traffic goes to production
     */
    public List<RampUpRule> rampUpRules() {
        synchronized (lock) {
            return List.copyOf(rampUpRules);
        }
    }

    /** The slot, if it exists; must hold the lock. */
    Optional<SimulatedSlot> findSlot(String slot) {
        return Optional.ofNullable(slots.get(slot));
    }

    /** Replaces the traffic-routing rules; must hold the lock. */
    void replaceRampUpRules(List<RampUpRule> rules) {
        rampUpRules.clear();
        rampUpRules.addAll(rules);
    }
}
