package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A slot of a {@link SimulatedWebApp} in the {@link AzureControlPlaneSimulator}: the production slot
 * or a deployment slot. What a slot serves (its "content", e.g. {@code DOCKER|shop:41}) is
 * published as {@code siteConfig.linuxFxVersion} (the SDK's {@code linuxFxVersion()}), and a swap
 * exchanges it between the two slots, as Azure exchanges what they run.
 *
 * <p>Setters seed the simulator; getters inspect what the SDK did. Thread-safe: every access holds
 * the simulator's lock.
 */
public final class SimulatedSlot {

    /** The state of a started slot. */
    static final String RUNNING = "Running";
    /** The state of a stopped slot. */
    static final String STOPPED = "Stopped";

    private final Object lock;
    private final SimulatedWebApp webApp;
    private final String name;
    private String content;
    private String state = RUNNING;
    private SwapRecord lastSwap;
    private int swaps;

    SimulatedSlot(Object lock, SimulatedWebApp webApp, String name) {
        this.lock = lock;
        this.webApp = webApp;
        this.name = name;
    }

    /**
     * The slot's name.
     *
     * @return e.g. {@code staging}; {@code production} for the production slot
     */
    public String name() {
        return name;
    }

    /**
     * The web app this slot belongs to, to go on seeding it.
     *
     * @return the web app
     */
    public SimulatedWebApp webApp() {
        return webApp;
    }

    /**
     * Seeds what the slot serves.
     *
     * @param content a marker of the deployed version, e.g. {@code v41} or {@code DOCKER|shop:41}
     * @return this slot
     */
    public SimulatedSlot serving(String content) {
        Objects.requireNonNull(content, "content");
        synchronized (lock) {
            this.content = content;
        }
        return this;
    }

    /**
     * What the slot serves now.
     *
     * @return the content marker, empty if none was seeded or deployed
     */
    public Optional<String> content() {
        synchronized (lock) {
            return Optional.ofNullable(content);
        }
    }

    /**
     * Seeds the slot's state.
     *
     * @param state {@code Running} (the default) or {@code Stopped}
     * @return this slot
     * @throws IllegalArgumentException for any other state
     */
    public SimulatedSlot state(String state) {
        if (!RUNNING.equals(state) && !STOPPED.equals(state)) {
            throw new IllegalArgumentException("state must be Running or Stopped, was " + state);
        }
        synchronized (lock) {
            this.state = state;
        }
        return this;
    }

    /**
     * The slot's state, as {@code properties.state} reports it.
     *
     * @return {@code Running} or {@code Stopped}
     */
    public String state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * The slot's default host name, as Azure derives it: {@code <app>.azurewebsites.net} for
     * production, {@code <app>-<slot>.azurewebsites.net} for a deployment slot.
     *
     * @return the host name
     */
    public String defaultHostName() {
        return (isProduction() ? webApp.name() : webApp.name() + "-" + name) + ".azurewebsites.net";
    }

    /**
     * How many swaps this slot took part in, as source or target.
     *
     * @return the count
     */
    public int swapCount() {
        synchronized (lock) {
            return swaps;
        }
    }

    boolean isProduction() {
        return SimulatedWebApp.PRODUCTION.equals(name);
    }

    /** The last completed swap, for {@code properties.slotSwapStatus}; must hold the lock. */
    Optional<SwapRecord> lastSwap() {
        return Optional.ofNullable(lastSwap);
    }

    /** Exchanges the content of the two slots; must hold the lock. */
    void swapWith(SimulatedSlot other, Instant at) {
        String mine = content;
        content = other.content;
        other.content = mine;
        SwapRecord swap = new SwapRecord(name, other.name, at);
        lastSwap = swap;
        other.lastSwap = swap;
        swaps++;
        other.swaps++;
    }

    /** A completed swap, as Azure's {@code slotSwapStatus} reports it. */
    record SwapRecord(String sourceSlot, String destinationSlot, Instant at) {}
}
