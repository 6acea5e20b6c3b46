package io.tributary.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceRecordValidationTest {

    private static final SecretHasher HASHER = new SecretHasher(new SecureRandom());

    private static ObjectNode valid(String id) {
        DeviceRecord record = new DeviceRecord(id, true, HASHER.hash(HASHER.newSecret()), Instant.now());
        return RecordTrees.tree(record.toJson());
    }

    private static CredentialRules.Problem problemOf(String key, ObjectNode json) {
        return problemOf(key, RecordTrees.bytes(json));
    }

    private static CredentialRules.Problem problemOf(String key, byte[] value) {
        try {
            DeviceRecord.fromJson(key, value, CredentialRules.DEFAULTS);
        } catch (InvalidDeviceRecordException e) {
            return e.problem();
        }
        throw new AssertionError("record accepted");
    }

    @Test
    void acceptsWhatTheRegistryClientWrites() {
        ObjectNode json = valid("d-1");

        DeviceRecord record = DeviceRecord.fromJson("d-1", RecordTrees.bytes(json),
                CredentialRules.DEFAULTS);

        assertThat(record.deviceId()).isEqualTo("d-1");
        assertThat(record.credentials().iterations()).isEqualTo(SecretHasher.DEFAULT_ITERATIONS);
    }

    @Test
    void refusesIterationsOutsideTheConfiguredRange() {
        assertThat(problemOf("d", valid("d").put("iterations", Integer.MAX_VALUE)))
                .isEqualTo(CredentialRules.Problem.ITERATIONS);
        assertThat(problemOf("d", valid("d").put("iterations", 999))).isEqualTo(CredentialRules.Problem.ITERATIONS);
        assertThat(problemOf("d", valid("d").put("iterations", 0))).isEqualTo(CredentialRules.Problem.ITERATIONS);
        assertThat(problemOf("d", valid("d").put("iterations", -5))).isEqualTo(CredentialRules.Problem.ITERATIONS);
        // 2^32 + 2000 must not wrap around to 2000, nor 2000.5 round to 2000
        assertThat(problemOf("d", valid("d").put("iterations", (1L << 32) + 2000)))
                .isEqualTo(CredentialRules.Problem.ITERATIONS);
        assertThat(problemOf("d", valid("d").put("iterations", 2000.5))).isEqualTo(CredentialRules.Problem.ITERATIONS);
        assertThat(problemOf("d", valid("d").put("iterations", "2000"))).isEqualTo(CredentialRules.Problem.ITERATIONS);
    }

    @Test
    void aNarrowerRangeIsTheOperatorsChoice() {
        byte[] value = RecordTrees.bytes(valid("d"));

        assertThatThrownBy(() -> DeviceRecord.fromJson("d", value, new CredentialRules(5_000, 10_000)))
                .isInstanceOf(InvalidDeviceRecordException.class).hasMessageContaining("iterations 2000 outside");
    }

    @Test
    void refusesMalformedSaltsHashesAndAlgorithms() {
        Base64.Encoder b64 = Base64.getEncoder();
        assertThat(problemOf("d", valid("d").put("salt", b64.encodeToString(new byte[4]))))
                .isEqualTo(CredentialRules.Problem.SALT);
        assertThat(problemOf("d", valid("d").put("salt", b64.encodeToString(new byte[65]))))
                .isEqualTo(CredentialRules.Problem.SALT);
        assertThat(problemOf("d", valid("d").put("salt", "not base64!"))).isEqualTo(CredentialRules.Problem.SALT);
        assertThat(problemOf("d", valid("d").put("salt", "A".repeat(10_000_000))))
                .isEqualTo(CredentialRules.Problem.SALT);
        assertThat(problemOf("d", valid("d").put("hash", b64.encodeToString(new byte[31]))))
                .isEqualTo(CredentialRules.Problem.HASH);
        assertThat(problemOf("d", valid("d").put("hash", b64.encodeToString(new byte[64]))))
                .isEqualTo(CredentialRules.Problem.HASH);
        assertThat(problemOf("d", valid("d").putNull("hash"))).isEqualTo(CredentialRules.Problem.HASH);
        assertThat(problemOf("d", valid("d").put("algorithm", "PBKDF2WithHmacSHA1")))
                .isEqualTo(CredentialRules.Problem.ALGORITHM);
        assertThat(problemOf("d", valid("d").put("algorithm", 7))).isEqualTo(CredentialRules.Problem.ALGORITHM);
        assertThat(problemOf("d", valid("d").putNull("algorithm"))).isEqualTo(CredentialRules.Problem.ALGORITHM);
    }

    @Test
    void refusesUnreadableRecordsWithoutThrowingAnythingElse() {
        assertThat(problemOf("d", "not json".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("d", new byte[] {(byte) 0xff, 0, 1})).isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("d", "[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("d", valid("d").putNull("enabled"))).isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("d", valid("d").put("enabled", "yes"))).isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("d", valid("d").put("updated", "yesterday"))).isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("other", valid("d"))).as("key differs from the id")
                .isEqualTo(CredentialRules.Problem.UNREADABLE);
        assertThat(problemOf("bad id", valid("d").put("device", "bad id")))
                .isEqualTo(CredentialRules.Problem.UNREADABLE);
    }

    @Test
    void messagesCarryNoControlCharactersFromTheRecord() {
        assertThatThrownBy(() -> DeviceRecord.fromJson("evil\nkey", RecordTrees.bytes(valid("d")),
                CredentialRules.DEFAULTS))
                .isInstanceOf(InvalidDeviceRecordException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains("evil\\nkey"));
    }

    @Test
    void rulesRejectAnEmptyOrInvertedRange() {
        assertThatThrownBy(() -> new CredentialRules(0, 10)).hasMessageContaining("--registry-min-iterations");
        assertThatThrownBy(() -> new CredentialRules(10, 9)).hasMessageContaining("--registry-max-iterations");
        assertThat(CredentialRules.DEFAULTS.check(SecretHasher.ALGORITHM, SecretHasher.DEFAULT_ITERATIONS,
                new byte[16], new byte[32])).isEqualTo(Optional.empty());
    }
}
