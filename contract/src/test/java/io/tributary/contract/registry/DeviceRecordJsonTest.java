package io.tributary.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The stored format must not move: registry topics written by earlier versions (Vert.x JsonObject) must still load. */
class DeviceRecordJsonTest {

    /** Written by the registry client before the codec moved here (Vert.x {@code JsonObject.encode()}). */
    private static final String STORED = "{\"device\":\"d-1:x@y\",\"enabled\":false,\"algorithm\":\"PBKDF2WithHmacSHA256\","
            + "\"iterations\":2000,\"salt\":\"ABEiM0RVZneImaq7zN3u/w==\","
            + "\"hash\":\"//jx6uPc1c7HwLmyq6Sdlo+IgXpzbGVeV1BJQjs0LSY=\",\"updated\":\"2026-12-07T01:02:03.456789Z\"}";

    private static DeviceRecord sample() {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 17);
        }
        byte[] hash = new byte[32];
        for (int i = 0; i < hash.length; i++) {
            hash[i] = (byte) (255 - i * 7);
        }
        return new DeviceRecord("d-1:x@y", false, new DeviceCredentials(SecretHasher.ALGORITHM, 2000, salt, hash),
                Instant.parse("2026-12-07T01:02:03.456789Z"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheStoredFormatByteForByte() {
        assertThat(new String(sample().toJson(), StandardCharsets.UTF_8)).isEqualTo(STORED);
    }

    @Test
    void readsARecordWrittenByEarlierVersions() {
        assertThat(fromJson("d-1:x@y", utf8(STORED))).isEqualTo(sample());
    }

    @Test
    void readsWhatTheEarlierReaderAcceptedCommentsSpacesAndFieldsInAnyOrder() {
        String loose = "{ /* provisioned by hand */ \"updated\": \"2026-12-07T01:02:03.456789Z\",\n"
                + "  \"hash\": \"//jx6uPc1c7HwLmyq6Sdlo+IgXpzbGVeV1BJQjs0LSY=\", \"salt\": \"ABEiM0RVZneImaq7zN3u/w==\",\n"
                + "  \"iterations\": 2000, \"algorithm\": \"PBKDF2WithHmacSHA256\", \"enabled\": true, // last\n"
                + "  \"enabled\": false, \"device\": \"d-1:x@y\", \"extra\": [1, {\"x\": null}] }";

        assertThat(fromJson("d-1:x@y", utf8(loose))).as("the last of duplicate keys wins")
                .isEqualTo(sample());
    }

    @Test
    void refusesTrailingTokensAndNonObjectsAsUnreadable() {
        assertThatThrownBy(() -> fromJson("d-1:x@y", utf8(STORED + " {}")))
                .isInstanceOfSatisfying(InvalidDeviceRecordException.class,
                        e -> assertThat(e.problem()).isEqualTo(CredentialRules.Problem.UNREADABLE));
        for (String value : new String[] {"", "null", "\"text\"", "42"}) {
            assertThatThrownBy(() -> fromJson("d", utf8(value)))
                    .isInstanceOfSatisfying(InvalidDeviceRecordException.class,
                            e -> assertThat(e.problem()).isEqualTo(CredentialRules.Problem.UNREADABLE))
                    .hasMessageContaining("unreadable device record for 'd'");
        }
    }

    @Test
    void readsANumberWhereTextIsExpectedAsItsTextLikeTheEarlierReader() {
        String numericAlgorithm = STORED.replace("\"PBKDF2WithHmacSHA256\"", "7");

        assertThatThrownBy(() -> fromJson("d-1:x@y", utf8(numericAlgorithm)))
                .isInstanceOfSatisfying(InvalidDeviceRecordException.class,
                        e -> assertThat(e.problem()).isEqualTo(CredentialRules.Problem.ALGORITHM));
    }

    private static DeviceRecord fromJson(String key, byte[] value) {
        return DeviceRecord.fromJson(key, value, CredentialRules.DEFAULTS);
    }
}
