package dev.rollback.core.trigger.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A sliding time window of counters: a ring of time slots, each {@code width} longs wide, split
 * into stripes so that threads recording at once rarely write the same cache line.
 *
 * <p><b>Data structure.</b> Time is cut into slots of {@code resolution} on the monotonic clock;
 * slot {@code e} (the e-th resolution since the window was made) lives at ring position
 * {@code e % slots}. Each stripe is one {@code long[]} of {@code slots * width} counters; a thread
 * is given a stripe on its first record (round robin) and keeps it. {@link #slotEpochs} says which
 * slot each ring position holds now. Field 0 of every slot must be an event count, incremented
 * last, so that a slot with a zero count is skipped when reading.
 *
 * <p><b>Cost.</b> Recording: one monotonic read done by the caller, one division, one volatile
 * read, then atomic adds into the caller's stripe; no lock and no allocation, except once per slot
 * per resolution, when the first thread to reach a new slot clears it under a lock. Reading a
 * window: {@code stripes * slots-in-window * width} opaque reads. Memory:
 * {@code 8 * stripes * slots * width} bytes plus {@code 8 * slots}.
 *
 * <p><b>Exactness.</b> Every event recorded is counted in exactly one slot. An event is lost
 * only if its thread stops for longer than the whole ring (between reading the clock and adding)
 * while another thread clears the slot; an event whose slot was already reused is counted in
 * the newer slot. Windows run on monotonic time, so a wall clock that jumps does not move them.
 *
 * <p>Thread-safe: any number of recording threads and one reading thread at a time.
 */
public final class StripedSlidingWindow {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();
    private static final ThreadLocal<Integer> STRIPE = ThreadLocal.withInitial(NEXT_STRIPE::getAndIncrement);

    private final long originNanos;
    private final long resolutionNanos;
    private final int slots;
    private final int width;
    private final int stripeMask;
    private final long[][] stripes;
    private final AtomicLongArray slotEpochs;

    /**
     * A window starting at {@code originNanos} (a monotonic reading).
     *
     * @param originNanos the monotonic reading that starts slot 0
     * @param resolutionNanos the length of a slot, positive
     * @param slots the number of slots in the ring: at least the most ever read at once, plus one
     * @param width the counters per slot, field 0 being the event count
     * @param stripes the number of stripes, a power of two
     */
    public StripedSlidingWindow(long originNanos, long resolutionNanos, int slots, int width, int stripes) {
        if (resolutionNanos <= 0 || slots < 3 || width < 1 || stripes < 1 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("resolutionNanos=" + resolutionNanos + ", slots=" + slots
                    + ", width=" + width + ", stripes=" + stripes);
        }
        this.originNanos = originNanos;
        this.resolutionNanos = resolutionNanos;
        this.slots = slots;
        this.width = width;
        this.stripeMask = stripes - 1;
        this.stripes = new long[stripes][slots * width];
        this.slotEpochs = new AtomicLongArray(slots);
        for (int i = 1; i < slots; i++) {
            slotEpochs.set(i, i - (long) slots); // slot i last held epoch i - slots: empty and out of every window
        }
    }

    /**
     * The number of slots to read for a window of {@code windowNanos}: the slots it spans plus the
     * current, partly filled one, so that the window read reaches back at least {@code windowNanos}
     * and less than {@code windowNanos} plus one resolution.
     */
    public int slotsToRead(long windowNanos) {
        return slotsFor(windowNanos, resolutionNanos) + 1;
    }

    /** The number of slots of {@code resolutionNanos} a window of {@code windowNanos} spans, at least one. */
    public static int slotsFor(long windowNanos, long resolutionNanos) {
        return (int) Math.max(1, (windowNanos + resolutionNanos - 1) / resolutionNanos);
    }

    /**
     * The stripe array of the calling thread. With {@link #offsetAt(long)}, the caller adds to
     * its fields by {@link #add(long[], int, long)}.
     */
    public long[] stripe() {
        return stripes[STRIPE.get() & stripeMask];
    }

    /** The offset of the slot that holds {@code nowNanos}, cleared first if it held an older slot. */
    public int offsetAt(long nowNanos) {
        long epoch = epochOf(nowNanos);
        int position = (int) (epoch % slots);
        if (slotEpochs.get(position) < epoch) {
            clear(position, epoch);
        }
        return position * width;
    }

    /** Adds {@code delta} to the counter at {@code index} of {@code stripe}; atomic. */
    public static void add(long[] stripe, int index, long delta) {
        LONGS.getAndAdd(stripe, index, delta);
    }

    /**
     * Sums every field over the {@code windowSlots} slots ending with the one that holds
     * {@code nowNanos} into {@code into} (which it clears first).
     */
    public void sum(long nowNanos, int windowSlots, long[] into) {
        Arrays.fill(into, 0, width, 0L);
        long newest = epochOf(nowNanos);
        long oldest = newest - windowSlots + 1;
        for (int position = 0; position < slots; position++) {
            long held = slotEpochs.get(position);
            if (held < oldest || held > newest) {
                continue;
            }
            int base = position * width;
            for (long[] stripe : stripes) {
                if ((long) LONGS.getOpaque(stripe, base) == 0L) {
                    continue;
                }
                for (int field = 0; field < width; field++) {
                    into[field] += (long) LONGS.getOpaque(stripe, base + field);
                }
            }
        }
    }

    private long epochOf(long nowNanos) {
        return Math.max(0L, nowNanos - originNanos) / resolutionNanos;
    }

    private synchronized void clear(int position, long epoch) {
        if (slotEpochs.get(position) >= epoch) {
            return;
        }
        int base = position * width;
        for (long[] stripe : stripes) {
            Arrays.fill(stripe, base, base + width, 0L);
        }
        slotEpochs.set(position, epoch); // volatile: publishes the cleared slot before anyone adds to it
    }
}
