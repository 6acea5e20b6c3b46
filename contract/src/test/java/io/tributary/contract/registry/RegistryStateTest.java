package io.tributary.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RegistryStateTest {

    private static final RegistryTopics TOPICS = RegistryTopics.forPrefix("t.");
    private final SecretHasher hasher = new SecretHasher(new SecureRandom());
    private final List<CredentialRules.Problem> refusals = new ArrayList<>();
    private final RegistryState state = new RegistryState(TOPICS, CredentialRules.DEFAULTS, refusals::add);
    private final List<String> changes = new ArrayList<>();
    private final RegistryListener listener = new RegistryListener() {
        @Override
        public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
            changes.add(deviceId + (device.isPresent() ? " set" : " removed"));
        }
    };
    private long offset;

    private void apply(String key, byte[] value) {
        state.apply(new ConsumerRecord<>(TOPICS.devices(), 0, offset++, key, value), listener);
    }

    private byte[] valid(String id) {
        return new DeviceRecord(id, true, hasher.hash(hasher.newSecret()), Instant.now()).toJson();
    }

    private byte[] withIterations(String id, long iterations) {
        return RecordTrees.bytes(RecordTrees.tree(valid(id)).put("iterations", iterations));
    }

    @Test
    void refusesABadRecordCountsItAndKeepsGoing() {
        apply("huge", withIterations("huge", Integer.MAX_VALUE));
        apply("junk", "{".getBytes(StandardCharsets.UTF_8));
        apply("fine", valid("fine"));

        assertThat(state.device("huge")).isEmpty();
        assertThat(state.device("junk")).isEmpty();
        assertThat(state.device("fine")).isPresent();
        assertThat(refusals).containsExactly(CredentialRules.Problem.ITERATIONS, CredentialRules.Problem.UNREADABLE);
        assertThat(state.refused()).containsOnlyKeys("huge", "junk");
    }

    @Test
    void aBadRecordReplacingAGoodOneLocksTheDeviceOutAndClosesItsConnections() {
        apply("d", valid("d"));
        apply("d", withIterations("d", 1L << 40));

        assertThat(state.device("d")).as("the old secret must not keep working").isEmpty();
        assertThat(changes).containsExactly("d set", "d removed");

        apply("d", valid("d"));
        assertThat(state.device("d")).isPresent();
        assertThat(state.refused()).isEmpty();
    }

    @Test
    void aThousandRefusedRecordsDoNotStopTheState() {
        for (int i = 0; i < 1_000; i++) {
            apply("d" + i, withIterations("d" + i, -1));
        }
        apply("last", valid("last"));

        assertThat(refusals).hasSize(1_000);
        assertThat(state.device("last")).isPresent();
    }
}
