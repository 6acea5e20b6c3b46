package io.tributary.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldNameEveryTopicOfTheDesignFromTheDefaultPrefix() {
        Topics topics = Topics.defaults();

        assertThat(topics.prefix()).isEqualTo("tributary.");
        assertThat(topics.telemetry()).isEqualTo("tributary.telemetry");
        assertThat(topics.deviceStatus()).isEqualTo("tributary.device-status");
        assertThat(topics.deadLetter()).isEqualTo("tributary.deadletter");
        assertThat(topics.deadLetterReplayed()).isEqualTo("tributary.deadletter-replayed");
        assertThat(topics.devices()).isEqualTo("tributary.devices");
        assertThat(topics.deviceConfig()).isEqualTo("tributary.device-config");
        assertThat(topics.rollups()).isEqualTo("tributary.rollups");
        assertThat(topics.alerts()).isEqualTo("tributary.alerts");
        assertThat(topics.ingest()).containsExactly("tributary.telemetry", "tributary.deadletter",
                "tributary.device-status");
    }

    @Test
    void shouldAcceptAnEmptyOrCustomPrefix() {
        assertThat(new Topics("").telemetry()).isEqualTo("telemetry");
        assertThat(new Topics("site-7_a.").alerts()).isEqualTo("site-7_a.alerts");
        assertThat(Topics.replayedMarkerOf("custom-dlq")).isEqualTo("custom-dlq-replayed");
    }

    @Test
    void shouldRejectAPrefixKafkaCannotUseNamingIt() {
        assertThatThrownBy(() -> new Topics("bad prefix/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad prefix/'");
        assertThatThrownBy(() -> new Topics(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldKeepEveryNameWithinKafkasLimit() {
        Topics longest = new Topics("p".repeat(Topics.MAX_PREFIX_LENGTH));

        assertThat(longest.deadLetterReplayed()).hasSize(249);
        assertThatThrownBy(() -> new Topics("p".repeat(Topics.MAX_PREFIX_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 230");
    }
}
