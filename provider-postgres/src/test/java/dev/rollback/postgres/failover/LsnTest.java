package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesBothHalvesAsHexadecimalAndPrintsThemBack() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.bytes()).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/3016EA0")).hasToString("0/3016EA0");
    }

    @Test
    void ordersPositionsAndCountsTheBytesBetweenThem() {
        Lsn earlier = Lsn.parse("0/3000000");
        Lsn later = Lsn.parse("1/0");
        assertThat(later).isGreaterThan(earlier);
        assertThat(later.bytesAfter(earlier)).isEqualTo(0x100000000L - 0x3000000L);
        assertThat(earlier.bytesAfter(later)).isZero();
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isGreaterThan(Lsn.parse("7FFFFFFF/0"));
    }

    @Test
    void refusesWhatIsNotAPositionNamingIt() {
        for (String bad : new String[] {"", "0", "/1", "1/", "x/1", "123456789/0", "0/123456789"}) {
            assertThatThrownBy(() -> Lsn.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a WAL position: '" + bad + "'");
        }
    }
}
