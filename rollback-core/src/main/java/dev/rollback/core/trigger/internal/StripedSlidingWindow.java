package dev.rollback.core.trigger.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A sliding time window of counters: a ring of time slots, each {@code width} longs wide, split
 * into stripes so that threads recording at once rarely write the same cache line, and a running
 * sum per window length that the reading thread updates from the slots that changed.
 *
 * <p><b>Data structure.</b> Time is cut into slots of {@code resolution} on the monotonic clock;
 * slot {@code e} (the e-th resolution since the window was made) lives at ring position
 * {@code e % slots}. Each stripe is one {@code long[]} of {@code slots * width} counters; a thread
 * is given a stripe on its first record (round robin) and keeps it, found by the thread's id in a
 * small shared table so that most records need no ThreadLocal lookup. {@link #slotEpochs} says
 * which slot each ring position holds now, and {@link #current} caches the newest slot and its
 * position so that recording needs no division. Field 0 of every slot must grow with every event
 * and be added last (an event count, or a sum of positive weights).
 *
 * <p>For reading, the window keeps a <em>copy</em> of every ring position (its fields summed over
 * the stripes, as last read, and the slot it was read from) and, for each window length it was
 * made for, the sum of the copies of the slots in that window. {@link #update} re-reads a slot
 * only when its field 0 differs from the copy's (read with acquire, so every add of an event
 * whose field 0 it sees is seen too), and moves a window by subtracting the copy of the slot that
 * left it and adding the copy of the one that entered. Every sum is thus exactly the sum of the
 * copies it holds, and a copy is re-read as soon as anything was added to its slot, however late.
 *
 * <p><b>Cost.</b> Recording: one monotonic read done by the caller, two volatile reads (the
 * thread's stripe entry and the newest slot), a multiplication and a comparison, then atomic
 * adds into the caller's stripe; no lock and no allocation, except once per resolution, when the
 * first thread to reach a new slot clears it under a lock. {@link #update}: one volatile read per ring position, {@code stripes} reads of
 * field 0 per slot in the longest window, and {@code (stripes + 1 + windows) * width} reads and
 * adds per slot that changed, entered or left a window since the previous update: with one
 * evaluation per resolution, two or three slots instead of the whole window. Memory:
 * {@code 8 * (stripes + 1) * slots * width} bytes, plus {@code 8 * width + slots} per window
 * length and {@code 16 * slots}.
 *
 * <p><b>Exactness.</b> Every event recorded is counted in exactly one slot. An event is lost
 * only if its thread stops for longer than the whole ring (between reading the clock and adding)
 * while another thread clears the slot; an event whose slot was already reused is counted in
 * the newer slot. Windows run on monotonic time, so a wall clock that jumps does not move them.
 *
 * <p>Thread-safe: any number of recording threads and one updating and reading thread at a time.
 */
public final class StripedSlidingWindow {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();
    private static final ThreadLocal<Integer> STRIPE = ThreadLocal.withInitial(NEXT_STRIPE::getAndIncrement);
    /**
     * The stripe index of {@link #STRIPE} cached by thread id, so that a record needs no
     * ThreadLocal lookup: entry {@code id % 256} holds {@code id << 8 | index % 256}, or 0 while
     * free. The first thread to claim an entry keeps it; a thread whose entry another one holds
     * asks {@link #STRIPE} each time.
     */
    private static final AtomicLongArray STRIPE_BY_THREAD = new AtomicLongArray(256);

    private final long originNanos;
    private final long resolutionNanos;
    private final int slots;
    private final int width;
    private final int stripeMask;
    private final long[][] stripes;
    private final AtomicLongArray slotEpochs;
    /** The newest slot's epoch shifted left by {@link #positionBits}, or'ed with its ring position. */
    private volatile long current;
    private final int positionBits;

    private final int[] windowSlots;
    private final long[][] sums;
    private final boolean[][] included;
    private final long[] copies;
    private final long[] copyEpochs;
    private final long[] scratch;

    /**
     * A window starting at {@code originNanos} (a monotonic reading), keeping a running sum for
     * each of {@code windowSlots}.
     *
     * @param originNanos the monotonic reading that starts slot 0
     * @param resolutionNanos the length of a slot, positive
     * @param width the counters per slot, field 0 growing with every event and added last
     * @param stripes the number of stripes, a power of two
     * @param windowSlots the window lengths to sum, in slots (see {@link #slotsToRead}), each at least 2
     */
    public StripedSlidingWindow(long originNanos, long resolutionNanos, int width, int stripes, int... windowSlots) {
        if (resolutionNanos <= 0 || width < 1 || stripes < 1 || Integer.bitCount(stripes) != 1
                || Arrays.stream(windowSlots).anyMatch(w -> w < 2)) {
            throw new IllegalArgumentException("resolutionNanos=" + resolutionNanos + ", width=" + width
                    + ", stripes=" + stripes + ", windowSlots=" + Arrays.toString(windowSlots));
        }
        this.originNanos = originNanos;
        this.resolutionNanos = resolutionNanos;
        this.windowSlots = windowSlots.clone();
        // one more than the longest window: the slot cleared for the next resolution is in no window
        this.slots = Arrays.stream(windowSlots).max().orElse(2) + 1;
        this.width = width;
        this.stripeMask = stripes - 1;
        this.stripes = new long[stripes][slots * width];
        this.slotEpochs = new AtomicLongArray(slots);
        for (int i = 1; i < slots; i++) {
            slotEpochs.set(i, i - (long) slots); // slot i last held epoch i - slots: empty and out of every window
        }
        this.positionBits = 32 - Integer.numberOfLeadingZeros(slots);
        this.current = 0L; // epoch 0 at position 0, which slotEpochs says it holds
        this.sums = new long[windowSlots.length][width];
        this.included = new boolean[windowSlots.length][slots];
        this.copies = new long[slots * width];
        this.copyEpochs = new long[slots];
        Arrays.fill(copyEpochs, Long.MIN_VALUE); // no copy taken yet
        this.scratch = new long[width];
    }

    /**
     * The number of slots to read for a window of {@code windowNanos}: the slots it spans plus the
     * current, partly filled one, so that the window read reaches back at least {@code windowNanos}
     * and less than {@code windowNanos} plus one resolution.
     */
    public static int slotsToRead(long windowNanos, long resolutionNanos) {
        return (int) Math.max(1, (windowNanos + resolutionNanos - 1) / resolutionNanos) + 1;
    }

    /**
     * The stripe array of the calling thread. With {@link #offsetAt(long)}, the caller adds to
     * its fields by {@link #add(long[], int, long)}.
     */
    public long[] stripe() {
        return stripes[stripeIndex() & stripeMask];
    }

    /** The calling thread's round-robin stripe index, modulo 256 (stripe masks are below 64). */
    private static int stripeIndex() {
        long id = Thread.currentThread().getId();
        int entry = (int) id & (STRIPE_BY_THREAD.length() - 1);
        long cached = STRIPE_BY_THREAD.get(entry);
        if (cached >>> 8 == id) {
            return (int) cached & 0xFF;
        }
        int index = STRIPE.get() & 0xFF;
        if (cached == 0L) {
            STRIPE_BY_THREAD.compareAndSet(entry, 0L, id << 8 | index);
        }
        return index;
    }

    /** The offset of the slot that holds {@code nowNanos}, cleared first if it held an older slot. */
    public int offsetAt(long nowNanos) {
        long newest = current;
        long intoNewest = nowNanos - originNanos - (newest >>> positionBits) * resolutionNanos;
        if (intoNewest >= 0 && intoNewest < resolutionNanos) {
            return (int) (newest & ((1L << positionBits) - 1)) * width;
        }
        long epoch = epochOf(nowNanos);
        int position = (int) (epoch % slots);
        if (slotEpochs.get(position) < epoch) {
            advance(position, epoch);
        }
        return position * width;
    }

    /** Adds {@code delta} to the counter at {@code index} of {@code stripe}; atomic. */
    public static void add(long[] stripe, int index, long delta) {
        LONGS.getAndAdd(stripe, index, delta);
    }

    /**
     * Brings every running sum to the window ending with the slot that holds {@code nowNanos}:
     * re-reads the slots that changed since the previous update, subtracts the slots that left a
     * window and adds those that entered it.
     */
    public void update(long nowNanos) {
        long newest = epochOf(nowNanos);
        long oldestRead = newest - slots + 2; // the oldest slot of the longest window
        for (int position = 0; position < slots; position++) {
            long held = slotEpochs.get(position);
            int base = position * width;
            if (held != copyEpochs[position]) {
                for (int w = 0; w < sums.length; w++) {
                    if (included[w][position]) {
                        addInto(sums[w], base, -1);
                        included[w][position] = false;
                    }
                }
                Arrays.fill(copies, base, base + width, 0L);
                copyEpochs[position] = held;
            }
            if (held >= oldestRead && held <= newest) {
                reread(base);
            }
            for (int w = 0; w < sums.length; w++) {
                boolean inWindow = held > newest - windowSlots[w] && held <= newest;
                if (inWindow != included[w][position]) {
                    addInto(sums[w], base, inWindow ? 1 : -1);
                    included[w][position] = inWindow;
                }
            }
        }
    }

    /**
     * The running sum of every field over the {@code window}-th window length given to the
     * constructor, as of the latest {@link #update}. Read-only: the caller must not change it.
     */
    public long[] sum(int window) {
        return sums[window];
    }

    private void reread(int base) {
        long first = 0;
        for (long[] stripe : stripes) {
            first += (long) LONGS.getAcquire(stripe, base);
        }
        if (first == copies[base]) {
            return;
        }
        Arrays.fill(scratch, 0L);
        for (long[] stripe : stripes) {
            scratch[0] += (long) LONGS.getAcquire(stripe, base); // first: every add of an event it sees is seen below
            for (int field = 1; field < width; field++) {
                scratch[field] += (long) LONGS.getOpaque(stripe, base + field);
            }
        }
        for (int field = 0; field < width; field++) {
            long read = scratch[field];
            scratch[field] = read - copies[base + field];
            copies[base + field] = read;
        }
        int position = base / width;
        for (int w = 0; w < sums.length; w++) {
            if (included[w][position]) {
                long[] sum = sums[w];
                for (int field = 0; field < width; field++) {
                    sum[field] += scratch[field];
                }
            }
        }
    }

    private void addInto(long[] sum, int base, int sign) {
        for (int field = 0; field < width; field++) {
            sum[field] += sign * copies[base + field];
        }
    }

    private long epochOf(long nowNanos) {
        return Math.max(0L, nowNanos - originNanos) / resolutionNanos;
    }

    private synchronized void advance(int position, long epoch) {
        if (slotEpochs.get(position) < epoch) {
            int base = position * width;
            for (long[] stripe : stripes) {
                Arrays.fill(stripe, base, base + width, 0L);
            }
            slotEpochs.set(position, epoch); // volatile: publishes the cleared slot before anyone adds to it
        }
        long newest = current;
        if (epoch > newest >>> positionBits && epoch < 1L << (63 - positionBits)) {
            current = epoch << positionBits | position; // after the slot was published as cleared
        }
    }
}
