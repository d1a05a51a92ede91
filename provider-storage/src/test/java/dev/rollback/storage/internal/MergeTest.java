package dev.rollback.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two sorted listings walked side by side, read ahead page by page. */
class MergeTest {
    private static Blobs.Entry e(String name) {
        return new Blobs.Entry(name, 1, new byte[0], "\"etag\"", null);
    }

    private static Iterator<Iterable<Blobs.Entry>> pages(String... names) {
        List<Iterable<Blobs.Entry>> pages = new ArrayList<>();
        List<Blobs.Entry> page = new ArrayList<>();
        for (String n : names) {
            page.add(e(n));
            if (page.size() == 2) {
                pages.add(List.copyOf(page));
                page.clear();
            }
        }
        if (!page.isEmpty()) {
            pages.add(List.copyOf(page));
        }
        return pages.iterator();
    }

    private static List<String> walk(Iterator<Blobs.Entry> s, Iterator<Blobs.Entry> d) {
        List<String> out = new ArrayList<>();
        Merge m = new Merge(s, d);
        while (m.hasNext()) {
            Merge.Pair p = m.next();
            out.add((p.source().isPresent() ? "S" : "-") + (p.destination().isPresent() ? "D" : "-") + " " + p.name());
        }
        return out;
    }

    @Test
    void pairsNamesOnBothSidesAndKeepsTheRestInOrder() {
        try (Listing s = Listing.of("src", pages("a", "b", "d", "f", "g"));
                Listing d = Listing.of("dst", pages("b", "c", "d", "h"))) {
            assertThat(walk(s, d)).containsExactly("S- a", "SD b", "-D c", "SD d", "S- f", "S- g", "-D h");
        }
    }

    @Test
    void anEmptySideYieldsTheOther() {
        try (Listing s = Listing.of("src", pages());
                Listing d = Listing.of("dst", pages("x", "y", "z"))) {
            assertThat(walk(s, d)).containsExactly("-D x", "-D y", "-D z");
        }
    }

    @Test
    void aListingOutOfOrderIsRefusedNamingBothNames() {
        try (Listing s = Listing.of("src", pages("a", "c", "b"));
                Listing d = Listing.of("dst", pages())) {
            assertThatThrownBy(() -> walk(s, d))
                    .isInstanceOf(RollbackException.class)
                    .hasMessageContaining("container src listed 'c' before 'b'")
                    .hasMessageContaining("nothing was deleted");
        }
    }

    @Test
    void aFailureOfTheReaderReachesTheConsumer() {
        Iterator<Iterable<Blobs.Entry>> failing = new Iterator<>() {
            private int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Iterable<Blobs.Entry> next() {
                if (n++ == 0) {
                    return List.of(e("a"));
                }
                throw new IllegalStateException("HTTP 503 after the SDK's retries");
            }
        };
        try (Listing s = Listing.of("src", failing)) {
            assertThat(s.next().name()).isEqualTo("a");
            assertThatThrownBy(s::hasNext).hasMessageContaining("HTTP 503");
        }
    }
}
