package dev.rollback.core.trigger.internal;

import dev.rollback.api.RollbackClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A sliding time window of counters: a ring of time slots, each {@code width} longs wide, split
 * into stripes so that threads recording at once rarely write the same cache line, and a running
 * sum per window length that the reading thread updates from the slots that changed.
 *
 * <p><b>Data structure.</b> Time is cut into slots of {@code resolution} on the monotonic clock;
 * slot {@code e} (the e-th resolution since the window was made) lives at ring position
 * {@code e % slots}. Each stripe is one {@code long[]} of {@code slots * width} counters. A thread
 * records into the stripes of index {@code id % stripes}, its thread id (threads get ids in
 * sequence, so a pool's threads spread evenly; no lookup is needed). There are two kinds of
 * stripe per index:
 * <ul>
 * <li>an <em>owned</em> stripe, which the first thread of that index to record claims (one
 * compare-and-set) and then writes alone, with a plain read, an add and a release store: no
 * atomic read-modify-write, no lock prefix. An owner that terminates is noticed by the next
 * {@link #update} (which sees its death, so every write it made, and frees the stripe for the
 * next thread of that index);</li>
 * <li>a <em>shared</em> stripe, made the first time a thread finds its owned stripe held by
 * another live thread, written with atomic adds by every such thread.</li>
 * </ul>
 * {@link #slotEpochs} says which slot each ring position holds now, and {@link #current} caches
 * the newest slot and its position so that recording needs no division. Field 0 of every slot
 * must grow with every event and is written last (an event count, or a sum of positive weights).
 *
 * <p>For reading, the window keeps a <em>copy</em> of every ring position (its fields summed over
 * the stripes, as last read, and the slot it was read from) and, for each window length it was
 * made for, the sum of the copies of the slots in that window. {@link #update} re-reads a slot
 * only when its field 0 differs from the copy's (read with acquire, so every write of an event
 * whose field 0 it sees is seen too), and moves a window by subtracting the copy of the slot that
 * left it and adding the copy of the one that entered. Every sum is thus exactly the sum of the
 * copies it holds, and a copy is re-read as soon as anything was added to its slot, however late.
 *
 * <p><b>Cost.</b> Recording by an owner: one volatile read of the fast path's slot, or while it
 * is closed a monotonic clock read, a volatile read of the newest slot, a multiplication and a
 * comparison; then the thread's id, a plain read of the owner, a plain read-add-store per field and one volatile read of the
 * slot's epoch afterwards; recording by a thread that shares: the same with atomic adds. No lock
 * and no allocation, except once per resolution, when the first thread to reach a new slot clears
 * it under a lock, and once per window, when the shared stripes are made. {@link #update}: one
 * volatile read per ring position, a liveness check per owned stripe, {@code stripes} reads of
 * field 0 per slot in the longest window, and {@code (stripes + 1 + windows) * width} reads and
 * adds per slot that changed, entered or left a window since the previous update (twice the
 * stripes once shared stripes exist): with one evaluation per resolution, two or three slots
 * instead of the whole window. Memory: {@code 8 * (stripes + 1) * slots * width} bytes, plus
 * {@code 8 * stripes * slots * width} once a thread had to share, plus {@code 8 * width + slots}
 * per window length and {@code 16 * slots}.
 *
 * <p><b>Exactness.</b> Every event recorded is counted in exactly one slot, with one exception: a
 * thread stopped for longer than the whole ring between reading the clock and finishing its write
 * loses that event (while it was stopped, another thread cleared the slot for a newer one: an
 * owner notices the clear afterwards and takes back what it wrote, so a stale count never
 * appears in the newer slot; a sharing thread's event is counted in the newer slot). Windows run
 * on monotonic time, so a wall clock that jumps does not move them. While a {@link SlotTicker} holds
 * the fast path open, events go to the slot it was opened for without a clock read; the ticker
 * closes it before that slot ends, so placement is exact unless the ticker runs late (see there).
 *
 * <p>Thread-safe: any number of recording threads and one updating and reading thread at a time.
 */
public final class StripedSlidingWindow {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long originNanos;
    private final long resolutionNanos;
    private final int slots;
    private final int width;
    private final int stripeMask;
    private final long[][] owned;
    /** The thread that writes each owned stripe, or null while it is free. */
    private final AtomicReferenceArray<Thread> owners;
    /** Null until a thread first found its owned stripe held by another; then never changes. */
    private volatile long[][] shared;

    private final AtomicLongArray slotEpochs;
    /** The newest slot's epoch shifted left by {@link #positionBits}, or'ed with its ring position. */
    private volatile long current;
    /**
     * While non-negative, the slot (as {@link #current} packs it) that {@link #record(RollbackClock,
     * int, int, long)} uses without reading the clock; -1: read the clock. Set by one ticking
     * thread ({@link SlotTicker}), which closes it before its slot ends.
     */
    private volatile long fastSlot = -1;

    private final int positionBits;
    private final long positionMask;

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
     * @param width the counters per slot, field 0 growing with every event and written last
     * @param stripes the number of stripes of each kind, a power of two
     * @param windowSlots the window lengths to sum, in slots (see {@link #slotsToRead}), each at least 2
     */
    public StripedSlidingWindow(long originNanos, long resolutionNanos, int width, int stripes, int... windowSlots) {
        if (resolutionNanos <= 0
                || width < 1
                || stripes < 1
                || Integer.bitCount(stripes) != 1
                || Arrays.stream(windowSlots).anyMatch(w -> w < 2)) {
            throw new IllegalArgumentException("resolutionNanos=" + resolutionNanos + ", width=" + width + ", stripes="
                    + stripes + ", windowSlots=" + Arrays.toString(windowSlots));
        }
        this.originNanos = originNanos;
        this.resolutionNanos = resolutionNanos;
        this.windowSlots = windowSlots.clone();
        // one more than the longest window: the slot cleared for the next resolution is in no window
        this.slots = Arrays.stream(windowSlots).max().orElse(2) + 1;
        this.width = width;
        this.stripeMask = stripes - 1;
        this.owned = new long[stripes][slots * width];
        this.owners = new AtomicReferenceArray<>(stripes);
        this.slotEpochs = new AtomicLongArray(slots);
        for (int i = 1; i < slots; i++) {
            slotEpochs.set(i, i - (long) slots); // slot i last held epoch i - slots: empty and out of every window
        }
        this.positionBits = 32 - Integer.numberOfLeadingZeros(slots);
        this.positionMask = (1L << positionBits) - 1;
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
     * Records one event at {@code nowNanos}: adds one to field {@code counted} and to field
     * {@code alsoCounted} (each skipped when negative), then {@code weight} to field 0.
     * Lock-free and allocation-free after the calling thread's first record.
     *
     * @param weight what field 0 grows by, positive
     */
    public void record(long nowNanos, int counted, int alsoCounted, long weight) {
        recordAt(slotAt(nowNanos), counted, alsoCounted, weight);
    }

    /**
     * As {@link #record(long, int, int, long)} at the clock's monotonic now, which it reads only
     * while the fast path is closed: while a {@link SlotTicker} holds it open, the event goes to the
     * slot it was opened for, and no clock is read.
     */
    public void record(RollbackClock clock, int counted, int alsoCounted, long weight) {
        long slot = fastSlot;
        recordAt(slot >= 0 ? slot : slotAt(clock.monotonicNanos()), counted, alsoCounted, weight);
    }

    /** Opens the fast path for the slot that holds {@code nowNanos} (clearing it first if needed). */
    void openFastPath(long nowNanos) {
        fastSlot = slotAt(nowNanos); // volatile: after the slot was published as cleared
    }

    /** Closes the fast path: recorders read the clock again. */
    void closeFastPath() {
        fastSlot = -1;
    }

    private void recordAt(long slot, int counted, int alsoCounted, long weight) {
        Thread thread = Thread.currentThread();
        int index = (int) thread.getId() & stripeMask; // ids are handed out in sequence: pools spread evenly
        if (owners.getPlain(index) == thread) { // only this thread ever stores itself there
            recordOwned(owned[index], slot, counted, alsoCounted, weight);
        } else if (owners.get(index) == null && owners.compareAndSet(index, null, thread)) {
            recordOwned(owned[index], slot, counted, alsoCounted, weight);
        } else {
            recordShared(sharedStripes()[index], slot, counted, alsoCounted, weight);
        }
    }

    private void recordOwned(long[] stripe, long slot, int counted, int alsoCounted, long weight) {
        int position = (int) (slot & positionMask);
        int base = position * width;
        if (counted >= 0) {
            LONGS.setOpaque(stripe, base + counted, (long) LONGS.get(stripe, base + counted) + 1);
        }
        if (alsoCounted >= 0) {
            LONGS.setOpaque(stripe, base + alsoCounted, (long) LONGS.get(stripe, base + alsoCounted) + 1);
        }
        LONGS.setRelease(stripe, base, (long) LONGS.get(stripe, base) + weight);
        if (slotEpochs.get(position) != slot >>> positionBits) {
            // The slot was cleared for a newer one while this thread was stopped between reading
            // and storing: what it stored there belongs to no slot. Only this thread writes here
            // (besides that clear), so the newer slot's share of this stripe is exactly zero.
            for (int field = 1; field < width; field++) {
                LONGS.setOpaque(stripe, base + field, 0L);
            }
            LONGS.setRelease(stripe, base, 0L);
        }
    }

    private void recordShared(long[] stripe, long slot, int counted, int alsoCounted, long weight) {
        int base = (int) (slot & positionMask) * width;
        if (counted >= 0) {
            LONGS.getAndAdd(stripe, base + counted, 1L);
        }
        if (alsoCounted >= 0) {
            LONGS.getAndAdd(stripe, base + alsoCounted, 1L);
        }
        LONGS.getAndAdd(stripe, base, weight);
    }

    /** Whether some thread found its owned stripe held by another, so shared stripes were made (for tests). */
    boolean hasSharedStripes() {
        return shared != null;
    }

    private long[][] sharedStripes() {
        long[][] stripes = shared;
        return stripes != null ? stripes : makeShared();
    }

    private synchronized long[][] makeShared() {
        if (shared == null) {
            shared = new long[owned.length][slots * width]; // under the lock that clears slots: born cleared
        }
        return shared;
    }

    /**
     * The slot that holds {@code nowNanos}, cleared first if it held an older slot, as the epoch
     * its position held when read (shifted left by {@link #positionBits}) or'ed with the position.
     */
    private long slotAt(long nowNanos) {
        long newest = current;
        long intoNewest = nowNanos - originNanos - (newest >>> positionBits) * resolutionNanos;
        if (intoNewest >= 0 && intoNewest < resolutionNanos) {
            return newest;
        }
        long epoch = epochOf(nowNanos);
        int position = (int) (epoch % slots);
        long held = slotEpochs.get(position);
        if (held < epoch) {
            held = advance(position, epoch);
        }
        return held << positionBits | position; // a slot already reused: the event counts in the newer one
    }

    /**
     * Brings every running sum to the window ending with the slot that holds {@code nowNanos}:
     * re-reads the slots that changed since the previous update, subtracts the slots that left a
     * window and adds those that entered it.
     */
    public void update(long nowNanos) {
        for (int index = 0; index < owners.length(); index++) {
            Thread owner = owners.get(index);
            if (owner != null && !owner.isAlive()) {
                // its death happens-before this read, so its stores do; the next owner's claim
                // reads this store, so it continues from every count the dead one left
                owners.compareAndSet(index, owner, null);
            }
        }
        long[][] sharedNow = shared;
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
                reread(base, sharedNow);
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

    private void reread(int base, long[][] sharedNow) {
        long first = firstFieldSum(owned, base) + (sharedNow == null ? 0 : firstFieldSum(sharedNow, base));
        if (first == copies[base]) {
            return;
        }
        Arrays.fill(scratch, 0L);
        addStripes(owned, base);
        if (sharedNow != null) {
            addStripes(sharedNow, base);
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

    private static long firstFieldSum(long[][] stripes, int base) {
        long sum = 0;
        for (long[] stripe : stripes) {
            sum += (long) LONGS.getAcquire(stripe, base);
        }
        return sum;
    }

    private void addStripes(long[][] stripes, int base) {
        for (long[] stripe : stripes) {
            scratch[0] += (long) LONGS.getAcquire(stripe, base); // first: every write of an event it sees is seen below
            for (int field = 1; field < width; field++) {
                scratch[field] += (long) LONGS.getOpaque(stripe, base + field);
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

    /** Clears {@code position} for {@code epoch} unless it already holds a newer slot; returns the slot it holds. */
    private synchronized long advance(int position, long epoch) {
        long held = slotEpochs.get(position);
        if (held < epoch) {
            int base = position * width;
            for (long[] stripe : owned) {
                Arrays.fill(stripe, base, base + width, 0L);
            }
            if (shared != null) {
                for (long[] stripe : shared) {
                    Arrays.fill(stripe, base, base + width, 0L);
                }
            }
            slotEpochs.set(position, epoch); // volatile: publishes the cleared slot before anyone adds to it
            held = epoch;
        }
        long newest = current;
        if (epoch > newest >>> positionBits && epoch < 1L << (63 - positionBits)) {
            current = epoch << positionBits | position; // after the slot was published as cleared
        }
        return held;
    }
}
