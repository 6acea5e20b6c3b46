package io.tributary.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretHasherTest {

    private final SecretHasher hasher = new SecretHasher(new SecureRandom());

    @Test
    void issuesSecretsOfAtLeast128RandomBits() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String secret = hasher.newSecret();
            assertThat(Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(16);
            seen.add(secret);
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void verifiesTheRightSecretOnlyAndSaltsEveryHash() {
        String secret = hasher.newSecret();
        DeviceCredentials first = hasher.hash(secret);
        DeviceCredentials second = hasher.hash(secret);

        assertThat(SecretHasher.verify(secret, first)).isTrue();
        assertThat(SecretHasher.verify(secret + "x", first)).isFalse();
        assertThat(SecretHasher.verify(hasher.newSecret(), first)).isFalse();
        assertThat(SecretHasher.verify(null, first)).isFalse();
        assertThat(first.salt()).isNotEqualTo(second.salt());
        assertThat(first.hash()).isNotEqualTo(second.hash());
    }

    @Test
    void storesNoTraceOfTheSecretInTheRecord() {
        String secret = hasher.newSecret();
        DeviceRecord record = new DeviceRecord("d-1", true, hasher.hash(secret), Instant.parse("2026-01-01T00:00:00Z"));

        String json = new String(record.toJson(), StandardCharsets.UTF_8);

        assertThat(json).doesNotContain(secret).contains("\"device\":\"d-1\"").contains("PBKDF2WithHmacSHA256");
        assertThat(record.credentials().toString()).doesNotContain(Base64.getEncoder().encodeToString(
                record.credentials().hash()));
    }

    @Test
    void roundTripsARecordThroughJson() {
        DeviceRecord record = new DeviceRecord("d-2", false, hasher.hash("s"), Instant.parse("2026-01-01T00:00:00Z"));

        DeviceRecord read = fromJson("d-2", record.toJson());

        assertThat(read).isEqualTo(record);
        assertThat(SecretHasher.verify("s", read.credentials())).isTrue();
    }

    @Test
    void rejectsUnreadableOrMismatchedRecords() {
        DeviceRecord record = new DeviceRecord("d-3", true, hasher.hash("s"), Instant.now());

        assertThatThrownBy(() -> fromJson("other", record.toJson()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differs");
        assertThatThrownBy(() -> fromJson("d-3", "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unreadable");
        assertThatThrownBy(() -> fromJson("d-3", "{\"device\":\"d-3\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceRecord("bad id with spaces", true, hasher.hash("s"), Instant.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid device id");
    }

    private static DeviceRecord fromJson(String key, byte[] value) {
        return DeviceRecord.fromJson(key, value, CredentialRules.DEFAULTS);
    }
}
