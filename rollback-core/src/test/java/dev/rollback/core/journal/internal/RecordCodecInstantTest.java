package dev.rollback.core.journal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The journal's fast instant parser reads exactly what Instant.parse reads. */
class RecordCodecInstantTest {

    @Test
    void readsEveryInstantToStringWritesAsInstantParseDoes() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong() % 253_402_300_799L, random.nextInt(1_000_000_000));
            t = t.isBefore(Instant.parse("0000-01-01T00:00:00Z")) ? t.plusSeconds(62_167_219_200L) : t;
            Instant cut = switch (i % 4) {
                case 0 -> t;
                case 1 -> Instant.ofEpochSecond(t.getEpochSecond(), t.getNano() / 1000 * 1000);
                case 2 -> Instant.ofEpochSecond(t.getEpochSecond(), t.getNano() / 1_000_000 * 1_000_000);
                default -> Instant.ofEpochSecond(t.getEpochSecond());
            };
            String text = cut.toString();
            assertThat(RecordCodec.instant(text)).as(text).isEqualTo(Instant.parse(text));
        }
        assertThat(RecordCodec.instant("2024-02-29T23:59:59.5Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.5Z"));
    }

    @Test
    void leavesEverythingElseToInstantParseWithItsLeniencyAndItsErrors() {
        for (String odd : new String[] {
            "+10000-01-01T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T12:00:00.Z", "2026-11-25T23:59:60Z"
        }) {
            assertThat(RecordCodec.instant(odd)).as(odd).isEqualTo(Instant.parse(odd));
        }
        for (String bad : new String[] {
            "2023-02-29T00:00:00Z",
            "2026-11-25 12:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-25T12:00:0xZ",
            "2026-11-25T12:60:00Z",
            "2026-11-25T12:00:00.1234567891Z"
        }) {
            assertThatThrownBy(() -> RecordCodec.instant(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }
}
