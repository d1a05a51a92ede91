package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SelfHostedFailoverBuildersTest {
    private static PostgresEndpoint at(int port) {
        return PostgresEndpoint.builder()
                .host("127.0.0.1")
                .port(port)
                .database("postgres")
                .user("postgres")
                .password(Secret.of("not-used"))
                .build();
    }

    @Test
    void aReplicaIsNeverPromotedOverItselfNorFencedAsItsOwnPrimary() {
        assertThatThrownBy(() -> ReplicaPromotionStep.builder()
                        .replica(at(5433))
                        .primary(at(5433))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replica and primary are the same server (127.0.0.1:5433)");
        assertThatThrownBy(() -> OldPrimaryFenceStep.builder()
                        .oldPrimary(at(5432))
                        .replica(at(5432))
                        .build())
                .hasMessageContaining("oldPrimary and replica are the same server (127.0.0.1:5432)");
    }

    @Test
    void requiredValuesAreNamed() {
        assertThatThrownBy(() -> ReplicaPromotionStep.builder().build()).hasMessage("replica is required");
        assertThatThrownBy(() -> OldPrimaryFenceStep.builder().build()).hasMessage("oldPrimary is required");
    }

    @Test
    void durationsOutsideTheirRangeAreRefusedNamingTheField() {
        assertThatThrownBy(() -> ReplicaPromotionStep.builder().maxDataLoss(Duration.ofSeconds(-1)))
                .hasMessageContaining("maxDataLoss must not be negative");
        assertThatThrownBy(() -> ReplicaPromotionStep.builder().promoteTimeout(Duration.ofMillis(500)))
                .hasMessageContaining("promoteTimeout must be at least 1 s");
        assertThatThrownBy(() -> OldPrimaryFenceStep.builder().reachTimeout(Duration.ZERO))
                .hasMessageContaining("reachTimeout must be positive");
        assertThatThrownBy(() -> ReplicaPromotionStep.builder().id("promote replica"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void promotionAndFenceAreIdempotentAndNotDestructive() {
        ReplicaPromotionStep promote =
                ReplicaPromotionStep.builder().replica(at(5433)).build();
        OldPrimaryFenceStep fence =
                OldPrimaryFenceStep.builder().oldPrimary(at(5432)).build();
        assertThat(promote.idempotent()).isTrue();
        assertThat(fence.idempotent()).isTrue();
        assertThat(promote.destructive()).isFalse();
        assertThat(fence.destructive()).isFalse();
        assertThat(promote.id()).isEqualTo("promote-replica");
        assertThat(fence.id()).isEqualTo("fence-old-primary");
        assertThat(promote.toString()).doesNotContain("not-used");
    }
}
